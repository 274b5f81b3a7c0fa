"""``GET /v1/articles/{code}/{article}``: an article as it stood on a date, its versions, its
alinéas and the penalties each alinéa states (public read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from refdata.api_support import RefdataRoute, problem
from refdata.communes.api import IsoDate
from refdata.dates import today
from refdata.law import service
from refdata.law.schemas import ArticleOut
from srj.deps import SessionDep

router = APIRouter(prefix="/v1/articles", tags=["law"], route_class=RefdataRoute)

CodePath = Annotated[
    str,
    Path(
        description="The code, as the project names texts: code-penal, code-de-la-route...",
        pattern=r"^[a-z][a-z-]{2,99}$",
        examples=["code-penal"],
    ),
]
ArticlePath = Annotated[
    str,
    Path(
        description="The article number: 226-4, L234-1 (or L.234-1), 224-1 A (or 224-1-A)",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 .*-]{0,39}$",
        examples=["226-4"],
    ),
]
AsOfQuery = Annotated[
    IsoDate | None,
    Query(
        description="The version in force on this date, e.g. the date of the facts (default: today)"
    ),
]
HistoryQuery = Annotated[
    bool, Query(description="Also every version with its alinéas and penalties")
]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: problem(
        "Unknown article, or not in force that day",
        "Code pénal art. 226-4 was not in force on 1990-01-01 (versions: v1 1994-03-01 to "
        "2002-01-01; v2 2002-01-01 to the end of the corpus); add history=true to read them",
        404,
    ),
}


@router.get(
    "/{code}/{article}",
    summary="An article of a code as it stood on a date, with the penalties of its alinéas",
    response_model=ArticleOut,
    responses=_ERRORS,
)
def get_article(
    session: SessionDep,
    code: CodePath,
    article: ArticlePath,
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> dict[str, Any]:
    """The version in force on `as_of`, its alinéas verbatim, and for each alinéa the
    principal penalties it states (`emprisonnement`, `reclusion_criminelle`,
    `detention_criminelle` with a maximum in months or for life, `amende` with its amount and
    currency), as read from the text: directly, by aggravation ("portées à"), or through
    "des mêmes peines" / "des peines prévues à l'article X" resolved at the same dates.
    What was not read with confidence is listed under `unresolved` with the reason.

    `versions` lists every version with its dates and the amending text; `corpus` says up to
    which date the source knows the law (`as_of_covered` false after it).
    """
    return service.get_article(session, code, article, as_of=as_of or today(), history=history)
