"""HTTP routes of the review workflow (``/v1/reviews``, ``/v1/persons/{id}/split``).

Authorisation (no role implies another):

| endpoint                             | application | reviewer | statistician | admin |
|--------------------------------------|-------------|----------|--------------|-------|
| GET  /v1/reviews                     | no          | yes      | no           | no    |
| GET  /v1/reviews/statistics          | no          | yes      | yes          | yes   |
| GET  /v1/reviews/{id}                | no          | yes      | no           | no    |
| POST /v1/reviews/{id}/decision       | no          | yes      | no           | no    |
| POST /v1/persons/{id}/split          | no          | yes      | no           | no    |

Deciding and undoing are the parquet staff's acts (reviewer). An admin administers the
service and does not read identity traits nor rule on identities; the statistics hold no trait
and serve the team, the statisticians who monitor the model, and the administrators.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from identity.api_support import IdentityRoute, problem_from
from identity.audit import AccessContext
from identity.deps import access_context
from identity.review.deps import ReviewServiceDep, StatisticsModelDep
from identity.review.schemas import (
    DecisionIn,
    DecisionResult,
    QueueStatus,
    ReviewDetail,
    ReviewPage,
    SplitIn,
    SplitOut,
    StatisticsOut,
)
from identity.review.service import (
    ReviewNotFoundError,
    ReviewRuleError,
)
from identity.review.stats import statistics_of
from identity.schemas import SOURCE_PATTERN
from identity.service import PersonNotFoundError
from srj.auth import Principal, Role, require_roles
from srj.problems import PROBLEM_JSON, ProblemError

router = APIRouter(prefix="/v1", route_class=IdentityRoute)

_problem: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or invalid bearer token", **_problem},
    403: {"description": "The token lacks the required role", **_problem},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown review", **_problem}}
MALFORMED: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not a JSON document", **_problem}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "Malformed parameter (named in the problem)", **_problem}
}
COURT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
REVIEW_ID = Path(ge=1, le=2**62, description="Review (match suggestion) identifier")

Reviewer = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]


@router.get(
    "/reviews",
    tags=["reviews"],
    summary="The review queue, most consequential first",
    response_model=ReviewPage,
    responses={**AUTH, **INVALID, 400: {"description": "Malformed cursor", **_problem}},
)
def list_reviews(
    service: ReviewServiceDep,
    principal: Reviewer,
    status: Annotated[QueueStatus, Query(description="Which queue")] = QueueStatus.PENDING,
    source: Annotated[
        str | None, Query(pattern=SOURCE_PATTERN, description="Either record from this source")
    ] = None,
    court: Annotated[
        str | None, Query(pattern=COURT_PATTERN, description="Either record from this court")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=500, description="Page size")] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page")
    ] = None,
) -> ReviewPage:
    """Ordered by the number of applications the two persons' records span (a merge there
    links the most), then by the model's uncertainty (probability nearest 0.5, in five
    bands), then oldest first. Items carry no identity trait (nothing is access-logged);
    `GET /v1/reviews/{id}` shows the identities."""
    return service.queue(
        principal, status=status, source=source, court=court, limit=limit, cursor=cursor
    )


@router.get(
    "/reviews/statistics",
    tags=["reviews"],
    summary="Queue size and age, decisions per day, reviewer agreement, precision from labels",
    response_model=StatisticsOut,
    responses=AUTH,
)
def review_statistics(
    service: ReviewServiceDep,
    model: StatisticsModelDep,
    _principal: Annotated[
        Principal, Depends(require_roles(Role.REVIEWER, Role.STATISTICIAN, Role.ADMIN))
    ],
) -> StatisticsOut:
    """The agreement rate is measured on second opinions (a sample of decisions shown blind
    to another reviewer). Precision per band is the share of "same" among the labelled pairs
    whose probability falls in the band, with a 95 % Wilson interval. The pairs are scored by
    the model in service, so the last band, which starts at its auto-link threshold,
    estimates the precision of the auto-links it makes."""
    return statistics_of(service.repo, matcher=model)


@router.get(
    "/reviews/{review_id}",
    tags=["reviews"],
    summary="A suggestion: both identities, the model's reasons, the persons' other records",
    response_model=ReviewDetail,
    responses={**AUTH, **NOT_FOUND, **INVALID},
)
def get_review(
    service: ReviewServiceDep,
    ctx: Annotated[
        AccessContext, Depends(access_context("GET /v1/reviews/{review_id}", Role.REVIEWER))
    ],
    review_id: Annotated[int, REVIEW_ID],
) -> ReviewDetail:
    """Reading it is written to the access log for both persons and each namesake shown.
    Keep `version`: the decision must quote it."""
    return service.review(review_id, ctx)


@router.post(
    "/reviews/{review_id}/decision",
    tags=["reviews"],
    summary="Decide: same person, different persons, or unsure",
    response_model=DecisionResult,
    responses={
        **AUTH,
        **NOT_FOUND,
        **MALFORMED,
        409: {"description": "Stale version, or already closed: nothing changed", **_problem},
        422: {"description": 'Missing reason for "different", malformed body', **_problem},
    },
)
def decide(
    service: ReviewServiceDep,
    principal: Reviewer,
    body: DecisionIn,
    review_id: Annotated[int, REVIEW_ID],
    source: Annotated[str | None, Query(pattern=SOURCE_PATTERN)] = None,
    court: Annotated[str | None, Query(pattern=COURT_PATTERN)] = None,
) -> DecisionResult:
    """**same** merges the two persons (the survivor keeps its identifier, the other
    redirects to it); **different** records a cannot-link every later automatic run honours;
    both close the other pending suggestions they settle. **unsure** escalates the
    suggestion. The decision records the reviewer and takes effect at once. On a suggestion
    sampled for a second opinion, the answer is recorded and compared, never applied.
    `source`/`court` filter the `next_review_id` returned."""
    return service.decide(review_id, body, principal, source=source, court=court)


@router.post(
    "/persons/{person_id}/split",
    tags=["persons"],
    summary="Undo a merge: the merged-away identifier comes back with its records",
    response_model=SplitOut,
    responses={
        **AUTH,
        **MALFORMED,
        404: {"description": "Unknown person", **_problem},
        409: {"description": "The merge cannot be undone as things stand", **_problem},
        422: {"description": "Malformed identifier, missing reason", **_problem},
    },
)
def split_person(
    service: ReviewServiceDep,
    principal: Reviewer,
    body: SplitIn,
    person_id: Annotated[str, Path(max_length=32, examples=["7ZQK3M9XH2B4TK"])],
) -> SplitOut:
    """The records that came with `merged_person_id` go back to it, its identifier is active
    again (no longer a redirect), the "same" decision that merged them is revoked, and a
    "different" decision keeps them apart in every later automatic run. The restored records
    are manual links. Undo from the surviving person (the one `merged_person_id` redirects
    to)."""
    try:
        return service.split(person_id, body.merged_person_id, body.reason, principal)
    # The rest maps in identity.api_support; here the unknown is a person, the refusal an undo.
    except ReviewNotFoundError:
        raise problem_from(PersonNotFoundError()) from None
    except ReviewRuleError as exc:
        raise ProblemError(422, "Undo refused", str(exc)) from None
