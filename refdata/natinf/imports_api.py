"""``POST /v1/imports/natinf`` and ``/v1/imports/penalties``: admin uploads, same rules as the CLI.

The upload is validated in full before anything is written; a rejected file answers 422 with
every problem and its line, and the request's transaction writes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile

from refdata.api_support import BulkStoreDep, RefdataRoute, problem
from refdata.natinf import penalties, service
from refdata.natinf.schemas import ImportResult, IsoDate
from srj.auth import Principal, Role, require_roles
from srj.deps import WriteSessionDep
from srj.problems import ProblemError

router = APIRouter(prefix="/v1/imports", tags=["releases"], route_class=RefdataRoute)

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]

IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem("No bearer token", "This endpoint requires a bearer token.", 401),
    403: problem("Not an admin", "This endpoint requires one of the roles: admin", 403),
    409: problem(
        "A newer release exists",
        "release natinf-2026-10-01 of dataset 'natinf' was published on 2026-10-01; a release "
        "cannot be published before it",
        409,
    ),
    413: problem("File too large", "the file exceeds 64 MiB", 413),
    422: problem(
        "File rejected: `problems` lists every problem with its line",
        "3 problems found; nothing was imported",
        422,
    ),
}


def _read(upload: UploadFile, field: str) -> bytes:
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProblemError(
            413, "File too large", f"the {field} file exceeds {MAX_UPLOAD_BYTES // 2**20} MiB"
        )
    return data


@router.post(
    "/natinf",
    response_model=ImportResult,
    summary="Import an official NATINF file (admin)",
    description=(
        "Same contract as `srj refdata import-natinf`: the official layout, Latin-1 or UTF-8, "
        "every row validated, all or nothing. Creates one release, or none when the content "
        "equals the current state (`created: false`). Optional `successors`: a UTF-8 "
        "`NATINF;Successeur;Source` file naming the codes that replace retired ones."
    ),
    responses=IMPORT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "example": {"file": "(liste-natinf-2026-10.csv)", "published_on": "2026-10-01"}
                }
            }
        }
    },
)
def import_natinf(
    _admin: AdminDep,
    session: WriteSessionDep,
    store: BulkStoreDep,
    file: Annotated[UploadFile, File(description="The official NATINF file")],
    published_on: Annotated[IsoDate, Form(description="Publication date of the file")],
    successors: Annotated[
        UploadFile | None, File(description="NATINF;Successeur;Source (optional)")
    ] = None,
) -> dict[str, Any]:
    data = _read(file, "NATINF")
    successors_data = _read(successors, "successors") if successors is not None else None
    summary = service.import_natinf(
        session,
        data,
        published_on=published_on,
        store=store,
        source_name=file.filename,
        successors=successors_data,
    )
    return summary.as_dict()


@router.post(
    "/penalties",
    response_model=ImportResult,
    summary="Import the curated penalties file (admin)",
    description=(
        "Same contract as `srj refdata import-penalties`: every row cites its article, wording, "
        "legal validity and source; all or nothing; one `penalties` release or none."
    ),
    responses=IMPORT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "example": {"file": "(penalties.csv)", "published_on": "2026-11-28"}
                }
            }
        }
    },
)
def import_penalties(
    _admin: AdminDep,
    session: WriteSessionDep,
    store: BulkStoreDep,
    file: Annotated[UploadFile, File(description="The penalties file")],
    published_on: Annotated[IsoDate, Form(description="Publication date")],
) -> dict[str, Any]:
    data = _read(file, "penalties")
    return penalties.import_penalties(
        session, data, published_on=published_on, store=store, source_name=file.filename
    )
