"""``POST /v1/sentence-checks``: is a sentence legal for an offence on a date?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from refdata.api_support import RefdataRoute, problem
from refdata.schemas import SentenceCheckIn, SentenceCheckOut
from refdata.sentence_checks import ProposedSentence, check_sentence
from srj.deps import SessionDep

router = APIRouter(
    route_class=RefdataRoute,
    tags=["sentence-checks"],
    responses={422: problem("Invalid parameter", "body.date: Input should be a valid date", 422)},
)


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
    sentence = ProposedSentence(
        imprisonment_months=body.sentence.imprisonment_months,
        life_imprisonment=body.sentence.life_imprisonment,
        fine_eur=body.sentence.fine_eur,
        recidivism=body.sentence.recidivism,
    )
    return check_sentence(session, body.natinf, body.date, sentence)
