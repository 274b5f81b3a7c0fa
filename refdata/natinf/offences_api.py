"""``/v1/offences``: one NATINF code as of a date, and search."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from refdata.api_support import RefdataRoute, problem
from refdata.dates import today
from refdata.natinf import offences
from refdata.natinf.cached_reads import cached_read
from refdata.natinf.natures import FILTER_VALUES
from refdata.natinf.schemas import IsoDate, Offence, OffenceSearchPage

router = APIRouter(
    prefix="/v1/offences",
    tags=["offences"],
    route_class=RefdataRoute,
    responses={422: problem("Invalid parameter", "body.date: Input should be a valid date", 422)},
)

NatureFilter = Literal[FILTER_VALUES]  # type: ignore[valid-type]  # built from the vocabulary

AS_OF = Query(
    description="Date the answer is valid on (YYYY-MM-DD); default: today in France",
    openapi_examples={"today": {"value": None}, "a date": {"value": "2026-01-15"}},
)


@router.get(
    "/{natinf}",
    response_model=Offence,
    summary="One NATINF code as in force on a date, with its penalties",
    description=(
        "The version of the code in force on `as_of` (default today), with the penalties in "
        "force that day. `history=true` adds every version of the code; the main object is "
        "then the version in force on `as_of`, or the last one (`in_force: false`)."
    ),
    responses={
        404: problem(
            "Unknown code, or not in force on `as_of`",
            "NATINF 99999 is in no release",
            404,
        )
    },
)
async def get_offence(
    request: Request,
    natinf: Annotated[
        int,
        Path(ge=1, le=999_999, description="NATINF code", openapi_examples={"x": {"value": 11}}),
    ],
    as_of: Annotated[IsoDate | None, AS_OF] = None,
    history: Annotated[
        bool,
        Query(
            description="Include every version of the code",
            openapi_examples={"current only": {"value": False}, "all versions": {"value": True}},
        ),
    ] = False,
) -> Response:
    on = as_of or today()
    return await cached_read(
        request,
        ("offence", natinf, on, history),
        lambda session, cache: orjson.dumps(
            offences.get_offence(
                offences.offence_snapshot(session, cache).bind(session),
                natinf,
                as_of=on,
                history=history,
            )
        ),
    )


@router.get(
    "",
    response_model=OffenceSearchPage,
    summary="Search offences by qualification words and code prefix",
    description=(
        "Accent- and case-insensitive search on the qualification: every word of `q` must "
        "begin a word of the qualification (French stop words ignored); if no code has them "
        "all, codes with most of them come back (`match: partial`). Ranked by words matched, "
        "whole-word matches, position of the first match, then length. `code` filters by "
        "NATINF code prefix, `nature` by nature. Only versions in force on `as_of` are "
        "searched. Paginate with `next_cursor`."
    ),
    responses={422: problem("Invalid parameter", "invalid cursor", 422)},
)
async def search_offences(
    request: Request,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words of the qualification",
            openapi_examples={"words": {"value": "stupefiants usage"}},
        ),
    ] = None,
    nature: Annotated[
        NatureFilter | None,
        Query(
            description="`crime`, `delit`, `contravention` (any class), `contravention-N`, "
            "or `none` (not stated)",
            openapi_examples={"4th class": {"value": "contravention-4"}},
        ),
    ] = None,
    code: Annotated[
        str | None,
        Query(
            pattern=r"^\d{1,6}$",
            description="NATINF code prefix",
            openapi_examples={"p": {"value": "20"}},
        ),
    ] = None,
    as_of: Annotated[IsoDate | None, AS_OF] = None,
    limit: Annotated[
        int,
        Query(ge=1, le=offences.MAX_LIMIT, openapi_examples={"page of 20": {"value": 20}}),
    ] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            description="`next_cursor` of the previous page",
            openapi_examples={"first page": {"value": None}},
        ),
    ] = None,
) -> Response:
    on = as_of or today()
    return await cached_read(
        request,
        ("search", q, nature, code, on, limit, cursor),
        lambda session, cache: orjson.dumps(
            offences.search_offences(
                session,
                cache,
                q=q,
                nature=nature,
                code=code,
                as_of=on,
                limit=limit,
                cursor=cursor,
            )
        ),
    )
