"""``/v1/releases`` (list, one, diff) and ``/v1/downloads`` (bulk files per release)."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse

from refdata.api_support import BulkStoreDep, RefdataRoute, problem
from refdata.datasets import RELEASED_DATASETS
from refdata.errors import InvalidParameterError, NotFoundError
from refdata.releases import downloads
from refdata.releases import repository as repo
from refdata.releases.diffs import release_diff
from refdata.releases.models import Release
from refdata.releases.schemas import ReleaseDiff, ReleaseList, ReleaseOut, WithdrawalRequest
from refdata.releases.service import as_utc
from refdata.releases.withdrawal import withdraw_release, withdrawal_summary
from srj.auth import Principal, Role, require_roles
from srj.deps import SessionDep, WriteSessionDep

router = APIRouter(
    route_class=RefdataRoute,
    responses={422: problem("Invalid parameter", "query.as_of: Input should be a valid date", 422)},
)

RELEASE_ID = r"^[a-z][a-z0-9_]{1,30}-\d{4}-\d{2}-\d{2}(?:-\d{1,4})?$"
ReleaseId = Annotated[
    str,
    Path(
        pattern=RELEASE_ID,
        description="Release identifier, e.g. `natinf-2026-10-01`",
        openapi_examples={
            "natinf": {"value": "natinf-2026-10-01"},
            "courts": {"value": "courts-2026-11-28"},
        },
    ),
]
# Every public file name (the ``files`` of ``refdata.datasets.RELEASED_DATASETS`` but the
# Latin-1 CSV, which is ``offences.csv?encoding=latin-1``); a test keeps the two equal.
FileName = Literal[
    "offences.csv",
    "offences.json",
    "offences.parquet",
    "penalties.csv",
    "penalties.json",
    "courts.csv",
    "ressorts.csv",
    "courts.json",
    "amendes_forfaitaires.csv",
    "amendes_maximales.csv",
    "pension_alimentaire_taux.csv",
    "minimum_vital.csv",
    "tariffs.json",
    "communes.csv",
    "successions.csv",
    "communes.json",
    "law_article_versions.csv",
    "law_penalties.csv",
    "law.json",
]


CSV_EXAMPLE = (
    "Numéro NATINF;Nature de l'infraction;Qualification de l'infraction;Définie par;"
    "Réprimée par\r\n11;Délit;ABANDON DE FAMILLE : NON PAIEMENT D'UNE PENSION OU D'UNE "
    "PRESTATION ALIMENTAIRE;ART.227-3 AL.1 C.PENAL.;ART.227-3 AL.1, ART.227-29 C.PENAL.\r\n"
)

COURTS_CSV_EXAMPLE = (
    "id,type,name,seat_code_insee,seat_commune,parent_id,valid_from,valid_to,valid_from_basis,"
    "source,note\r\ntj-agen,tribunal_judiciaire,Tribunal judiciaire d'Agen,47001,Agen,ca-agen,"
    '2020-01-01,,in_force,"Loi n° 2019-222 du 23 mars 2019, art. 95, and décret n° 2019-912 du '
    "30 août 2019: TGI become tribunaux judiciaires on 2020-01-01; Cour de cassation, Judilibre "
    'taxonomy of courts (judilibre-search, 2026)",\r\n'
)

DOWNLOAD_DESCRIPTION = (
    "`release_ref` is a release identifier (immutable content, cached for a year) or "
    "`latest` (the newest release of the file's dataset; `Content-Location` names it). "
    "Files by dataset: `natinf` — `offences.csv` in the official layout (`;`, CRLF, official "
    "header) in UTF-8, or in the official Latin-1 encoding (Windows-1252) with "
    "`encoding=latin-1`, `offences.json`, `offences.parquet`; `penalties` — `penalties.csv`, "
    "`penalties.json`; `courts` — `courts.csv`, `ressorts.csv`, `courts.json`; `tariffs` — "
    "`amendes_forfaitaires.csv`, `amendes_maximales.csv`, `pension_alimentaire_taux.csv`, "
    "`minimum_vital.csv`, `tariffs.json`; `communes` — `communes.csv` (COG layout), "
    "`successions.csv` (merged codes), `communes.json`. CSV files are in the layout their "
    "importer reads, so re-importing a release's files reproduces it. Served from files "
    "precomputed at release time, gzip-compressed when the client accepts it. `ETag` and "
    "`X-Content-SHA256` carry the SHA-256 of the (uncompressed) file, as recorded in the "
    "release; `If-None-Match` / `If-Modified-Since` answer 304."
)
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file",
        "content": {
            "text/csv": {
                "examples": {
                    "offences.csv": {"value": CSV_EXAMPLE},
                    "courts.csv": {"value": COURTS_CSV_EXAMPLE},
                }
            },
            "application/json": {
                "examples": {
                    "offences.json": {
                        "value": {
                            "dataset": "natinf",
                            "release": "natinf-2026-01-26",
                            "published_on": "2026-01-26",
                            "count": 198,
                            "offences": [{"natinf": 7, "version": 1, "nature": "Délit"}],
                        }
                    },
                    "courts.json": {
                        "value": {
                            "dataset": "courts",
                            "release": "courts-2026-11-28",
                            "published_on": "2026-11-28",
                            "count": 2,
                            "courts": [
                                {
                                    "court_id": "tj-agen",
                                    "type": "tribunal_judiciaire",
                                    "name": "Tribunal judiciaire d'Agen",
                                    "parent_id": "ca-agen",
                                    "valid_from": "2020-01-01",
                                    "valid_to": None,
                                }
                            ],
                            "ressorts": [
                                {
                                    "court_id": "tj-agen",
                                    "granularity": "departement",
                                    "code": "47",
                                    "scope": "territory",
                                    "valid_from": "2011-01-01",
                                    "valid_to": None,
                                }
                            ],
                        }
                    },
                    "tariffs.json": {
                        "value": {
                            "dataset": "tariffs",
                            "release": "tariffs-2026-11-28",
                            "published_on": "2026-11-28",
                            "count": 1,
                            "max_fines": [
                                {
                                    "classe": 5,
                                    "amount_eur": 1500,
                                    "recidivism_amount_eur": 3000,
                                    "valid_from": "2005-04-01",
                                    "valid_to": None,
                                }
                            ],
                        }
                    },
                }
            },
            "application/vnd.apache.parquet": {},
        },
    },
    304: {"description": "Not modified"},
    404: problem("Unknown release or file", "no release 'natinf-2020-01-01'", 404),
}


def release_payload(release: Release) -> dict[str, Any]:
    return {
        "id": release.id,
        "dataset": release.dataset,
        "sequence": release.sequence,
        "published_on": release.published_on,
        "created_at": as_utc(release.created_at),
        "previous_id": release.previous_id,
        "source_name": release.source_name,
        "source_sha256": release.source_sha256,
        "source_details": release.source_details,
        "item_count": release.item_count,
        "added": release.added,
        "changed": release.changed,
        "retired": release.retired,
        "unchanged": release.unchanged,
        "changelog": release.changelog,
        "withdrawal": (
            withdrawal_summary(release.withdrawal) if release.withdrawal is not None else None
        ),
        "files": [
            {
                "name": f.name,
                "media_type": f.media_type,
                "sha256": f.sha256,
                "size_bytes": f.size_bytes,
                "url": _file_url(release.id, f.name),
            }
            for f in release.files
        ],
    }


def _file_url(release_id: str, name: str) -> str:
    if name == "offences.latin-1.csv":
        return f"/v1/downloads/{release_id}/offences.csv?encoding=latin-1"
    return f"/v1/downloads/{release_id}/{name}"


@router.get(
    "/v1/releases",
    response_model=ReleaseList,
    tags=["releases"],
    summary="Every release, newest first",
)
def list_releases(
    session: SessionDep,
    dataset: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z][a-z0-9_]{1,30}$",
            description=(
                "Only this dataset: `natinf`, `penalties`, `courts`, `tariffs`, `communes`"
            ),
            openapi_examples={
                "natinf": {"value": "natinf"},
                "courts": {"value": "courts"},
                "tariffs": {"value": "tariffs"},
                "communes": {"value": "communes"},
            },
        ),
    ] = None,
) -> dict[str, Any]:
    return {"items": [release_payload(r) for r in repo.list_releases(session, dataset)]}


@router.get(
    "/v1/releases/{release_id}",
    response_model=ReleaseOut,
    tags=["releases"],
    summary="One release: counts, changelog, bulk files and their SHA-256",
    responses={404: problem("Unknown release", "no release 'natinf-2020-01-01'", 404)},
)
def get_release(release_id: ReleaseId, session: SessionDep) -> dict[str, Any]:
    release = repo.get_release(session, release_id, with_files=True)
    if release is None:
        raise NotFoundError(f"no release '{release_id}'")
    return release_payload(release)


@router.get(
    "/v1/releases/{release_id}/diff",
    response_model=ReleaseDiff,
    response_model_by_alias=True,
    tags=["releases"],
    summary="What changed from another release of the same dataset to this one",
    description=(
        "Items added, changed (field by field: `from` and `to`) and retired between release "
        "`from` and this release. Either may be the older one. Applying the diff to the items "
        "of `from` gives exactly the items of this release."
    ),
    responses={
        404: problem("Unknown release", "no release 'natinf-2020-01-01'", 404),
        422: problem("Releases of different datasets", "releases of different datasets", 422),
    },
)
def get_release_diff(
    release_id: ReleaseId,
    session: SessionDep,
    from_: Annotated[
        str,
        Query(
            alias="from",
            pattern=RELEASE_ID,
            description="The release to compare with",
            openapi_examples={"previous": {"value": "natinf-2026-07-01"}},
        ),
    ],
) -> dict[str, Any]:
    return release_diff(session, RELEASED_DATASETS, release_id, from_)


@router.post(
    "/v1/releases/{release_id}/withdrawal",
    response_model=ReleaseOut,
    status_code=201,
    tags=["releases"],
    summary="Withdraw a wrong release (admin; audited, published in the feeds)",
    description=(
        "For a release that should never have been published (a date typed 2062 for 2026, the "
        "wrong file). Only the dataset's latest release can be withdrawn. The release keeps "
        "its id, files and checksums and says it was withdrawn, when and why; its content is "
        "no longer served (downloads and diffs answer 410); what it changed is undone, so the "
        "previous release is the latest again and the next import proceeds. Who withdrew it "
        "is recorded. NATINF and penalties releases only: the curated datasets (courts, "
        "tariffs, communes, law) are corrected by loading corrected files."
    ),
    responses={
        400: problem("The body is not JSON", "There was an error parsing the body", 400),
        401: problem("No bearer token", "This endpoint requires a bearer token.", 401),
        403: problem("Not an admin", "This endpoint requires one of the roles: admin", 403),
        404: problem("Unknown release", "no release 'natinf-2020-01-01'", 404),
        409: problem(
            "Not the latest release, or already withdrawn",
            "release natinf-2026-07-01 is not the latest of dataset 'natinf' "
            "(natinf-2026-10-01 is): later releases were computed from it; withdraw them "
            "first, newest first",
            409,
        ),
    },
)
def withdraw(
    release_id: ReleaseId,
    body: WithdrawalRequest,
    admin: Annotated[Principal, Depends(require_roles(Role.ADMIN))],
    session: WriteSessionDep,
) -> dict[str, Any]:
    withdraw_release(session, RELEASED_DATASETS, release_id, by=admin.subject, reason=body.reason)
    release = repo.get_release(session, release_id, with_files=True)
    assert release is not None
    return release_payload(release)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def _etag_matches(header: str, sha256: str) -> bool:
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/").strip('"')
        if tag in (sha256, f"{sha256}-gzip"):
            return True
    return False


@router.get(
    "/v1/downloads/{release_ref}/{file_name}",
    operation_id="download_bulk_file",
    tags=["downloads"],
    summary="A bulk file of a release (CSV in the official layout, JSON, Parquet)",
    description=DOWNLOAD_DESCRIPTION,
    responses=DOWNLOAD_RESPONSES,
    response_class=Response,
)
@router.head(
    "/v1/downloads/{release_ref}/{file_name}",
    operation_id="download_bulk_file_head",
    tags=["downloads"],
    summary="Headers of a bulk file (ETag, size, checksum) without the body",
    description=DOWNLOAD_DESCRIPTION,
    responses=DOWNLOAD_RESPONSES,
    response_class=Response,
)
def download(
    request: Request,
    session: SessionDep,
    store: BulkStoreDep,
    release_ref: Annotated[
        str,
        Path(
            pattern=r"^(?:latest|[a-z][a-z0-9_]{1,30}-\d{4}-\d{2}-\d{2}(?:-\d{1,4})?)$",
            description="A release identifier, or `latest`",
            openapi_examples={"latest": {"value": "latest"}},
        ),
    ],
    file_name: Annotated[
        FileName,
        Path(
            description="The file (see the list above)",
            openapi_examples={
                "CSV": {"value": "offences.csv"},
                "courts": {"value": "courts.csv"},
                "tariffs": {"value": "tariffs.json"},
                "communes": {"value": "communes.csv"},
            },
        ),
    ],
    encoding: Annotated[
        Literal["utf-8", "latin-1"],
        Query(
            description="CSV only: `latin-1` for the official encoding (Windows-1252)",
            openapi_examples={"official encoding": {"value": "latin-1"}},
        ),
    ] = "utf-8",
) -> Response:
    name: str = file_name
    if encoding == "latin-1":
        if file_name != "offences.csv":
            raise InvalidParameterError("encoding", "encoding=latin-1 applies to offences.csv only")
        name = "offences.latin-1.csv"
    found = downloads.locate(session, store, RELEASED_DATASETS, release_ref, name)
    sha = found.stored.sha256
    last_modified = as_utc(found.release.created_at).replace(microsecond=0)
    headers = {
        "Last-Modified": format_datetime(last_modified.astimezone(UTC), usegmt=True),
        "X-Content-SHA256": sha,
        "Vary": "Accept-Encoding",
        "Cache-Control": "public, max-age=300"
        if release_ref == "latest"
        else "public, max-age=31536000, immutable",
        "Content-Location": _file_url(found.release.id, name),
    }
    use_gzip = found.stored.gzip_path is not None and _accepts_gzip(request)
    headers["ETag"] = f'"{sha}-gzip"' if use_gzip else f'"{sha}"'

    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if _etag_matches(if_none_match, sha):
            return Response(status_code=304, headers=headers)
    elif (since := request.headers.get("if-modified-since")) is not None:
        try:
            since_date = parsedate_to_datetime(since)
            if since_date.tzinfo is None:
                since_date = since_date.replace(tzinfo=UTC)
            if last_modified <= since_date:
                return Response(status_code=304, headers=headers)
        except (TypeError, ValueError):
            pass  # an unparseable date is ignored, as RFC 9110 says

    download_name = f"{found.release.id}-{name}"
    media_type = found.record.media_type
    if use_gzip:
        assert found.stored.gzip_path is not None
        headers["Content-Encoding"] = "gzip"
        return FileResponse(
            found.stored.gzip_path,
            media_type=media_type,
            headers=headers,
            filename=download_name,
        )
    return FileResponse(
        found.stored.path, media_type=media_type, headers=headers, filename=download_name
    )
