"""``POST /v1/sentence-checks``: is a sentence legal for an offence on a date?"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter

from refdata.api_support import RefdataRoute, problem
from refdata.natinf.schemas import SentenceCheckIn, SentenceCheckOut
from refdata.natinf.sentence_checks import ProposedSentence, check_sentence
from srj.deps import SessionDep

router = APIRouter(
    route_class=RefdataRoute,
    tags=["sentence-checks"],
    responses={422: problem("Invalid parameter", "body.date: Input should be a valid date", 422)},
)


def _decimal(value: float | None) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


@router.post(
    "/v1/sentence-checks",
    response_model=SentenceCheckOut,
    summary="Check a proposed sentence against an offence on the date of the facts",
    description=(
        "Says whether the sentence breaks a rule we hold, which one and where it comes from: "
        "code not in force on `date` (art. 112-1 CP), a prison term for a contravention "
        "(art. 131-12 CP), a fine above the class maximum (art. 131-13 CP), more than ten years "
        "for a délit (art. 131-4 CP), above the maximum of the repressing article (curated "
        "penalties, doubled in recidivism for a délit, art. 132-10 CP). What could not be "
        "checked is listed in `notes` and makes `complete` false. A read: nothing is stored."
    ),
    responses={
        400: problem("The body is not JSON", "There was an error parsing the body", 400),
        404: problem("Unknown NATINF code", "NATINF 99999 is in no release", 404),
    },
)
def post_sentence_check(body: SentenceCheckIn, session: SessionDep) -> dict[str, Any]:
    given = body.sentence
    sentence = ProposedSentence(
        # Through str: 0.1 stays 0.1, not 0.1000000000000000055511151231257827.
        imprisonment_months=_decimal(given.imprisonment_months),
        life_imprisonment=given.life_imprisonment,
        fine_eur=_decimal(given.fine_eur),
        recidivism=given.recidivism,
    )
    return check_sentence(session, body.natinf, body.date, sentence)
