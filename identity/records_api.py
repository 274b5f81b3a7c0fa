"""Batch resolve and dry run (``POST /v1/records:batch``, ``POST /v1/records:match``).

Both go through :class:`identity.resolve.Resolver`, the one resolve path: the batch is
``resolve_many`` (as ``srj registry ingest`` resolves a batch), the dry run is
``Resolver.dry_run``, which applies the same ``_assess`` — candidates, scores, minimum
evidence, consistency with every record of a person, reviewers' decisions — and reports what
``resolve_many`` would do instead of doing it. No second copy of the decision rule.

| endpoint                   | application | reviewer | statistician | admin |
|----------------------------|-------------|----------|--------------|-------|
| POST /v1/records:batch     | yes         | no       | no           | no    |
| POST /v1/records:match     | yes         | yes      | no           | no    |
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from identity.answers import outcome_of, resolve_out
from identity.api_support import IdentityRoute
from identity.audit import AccessContext, record_access
from identity.config import RegistrySettings
from identity.deps import CryptoDep, MatcherDep, RegistrySettingsDep, access_context
from identity.repository import RegistryRepository
from identity.resolve import DryRun, Resolution, Resolver
from identity.schemas import (
    BatchIn,
    BatchOut,
    CandidateVerdict,
    MatchCandidateOut,
    MatchOut,
    RecordIn,
    WouldOut,
)
from identity.sources import SourceNotWritableError, UnknownSourceError, check_known, check_writable
from srj.auth import Principal, Role, require_roles
from srj.deps import run_unit_of_work
from srj.problems import PROBLEM_BASE, PROBLEM_JSON, ProblemError

# Its own router, included by the app next to identity.api's: routes of a router included in
# another one are logged without the outer prefix (the access log reads the route template).
router = APIRouter(prefix="/v1", route_class=IdentityRoute)

_problem: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or invalid bearer token", **_problem},
}
_MODEL: dict[int | str, dict[str, Any]] = {
    503: {"description": "No linkage model, or the database is unavailable", **_problem},
}


def _batch_source_problems(
    records: list[RecordIn], principal: Principal, config: RegistrySettings
) -> None:
    """Every record's source must be known (422) and writable by the caller (403); each
    refusal names the record by its position, never its reference."""
    unknown: list[dict[str, Any]] = []
    forbidden: list[dict[str, Any]] = []
    for i, record in enumerate(records):
        location = ["body", "records", str(i), "source"]
        try:
            check_known(record.source, config)
            check_writable(record.source, principal, config)
        except UnknownSourceError as exc:
            unknown.append({"location": location, "type": exc.type, "message": str(exc)})
        except SourceNotWritableError as exc:
            forbidden.append(
                {"location": location, "type": "source_not_writable", "message": str(exc)}
            )
    if unknown:
        raise ProblemError(
            422,
            "Invalid request",
            f"{len(unknown)} record(s) name an unknown source application "
            f"(first: record {unknown[0]['location'][2]}); nothing was written. "
            + unknown[0]["message"],
            type_=PROBLEM_BASE + "validation-error",
            errors=unknown,
        )
    if forbidden:
        raise ProblemError(
            403,
            "Source not allowed",
            f"{len(forbidden)} record(s) are of a source this token may not write "
            f"(first: record {forbidden[0]['location'][2]}); nothing was written. "
            + forbidden[0]["message"],
            errors=forbidden,
        )


@router.post(
    "/records:batch",
    tags=["records"],
    summary="Resolve up to 1,000 records in one transaction (nightly synchronisation)",
    response_model=BatchOut,
    responses={
        **_AUTH,
        403: {
            "description": "The token lacks the application role, or may not write the source "
            "of one of the records (`errors` names each by position; nothing written)",
            **_problem,
        },
        422: {
            "description": "A record breaks the canonical format or the registry's rules, or "
            "the batch is empty or larger than 1,000 (`errors` names each record by position "
            "and field; nothing written)",
            **_problem,
        },
        **_MODEL,
    },
)
async def post_batch(
    body: BatchIn,
    request: Request,
    principal: Annotated[Principal, Depends(require_roles(Role.APPLICATION))],
    matcher: MatcherDep,
    crypto: CryptoDep,
    config: RegistrySettingsDep,
) -> BatchOut:
    """The records are resolved **in one transaction, in order**, each seeing those before it,
    exactly as if posted one by one to `POST /v1/records` (same rules, same answers: see it).
    **All or nothing**: a record that breaks the format or the rules, or whose source the
    token may not write, refuses the whole batch (422 / 403, each problem named by the
    record's position and field); a failure while resolving (503: database unavailable) rolls
    the whole batch back, and sending it again is safe (identical records answer
    `unchanged`). A reference sent twice: the last one is resolved, both positions carry its
    answer.

    A large batch takes the registry's write lock for its duration (seconds for a thousand
    records: docs/benchmarks.md): online posts wait meanwhile. Send batches off-peak.
    """
    _batch_source_problems(body.records, principal, config)

    def resolve(session: Session) -> list[Resolution]:
        resolver = Resolver(
            RegistryRepository(session), matcher, crypto, config, actor=principal.subject
        )
        return resolver.resolve_many(body.records)

    results = await run_unit_of_work(request, resolve)
    answers = [resolve_out(r) for r in results]
    counts = Counter(outcome_of(r).value for r in results)
    return BatchOut(results=answers, counts=dict(sorted(counts.items())))


def _verdicts(dry: DryRun) -> dict[str, CandidateVerdict]:
    a = dry.assessment
    if a is None:
        return {}
    review = {p.person_id for p in dry.review}
    link = a.outcome.link_to.person_id if a.outcome.link_to is not None else None
    verdicts = {}
    for person in a.persons:
        pid = person.person_id
        if pid == link:
            verdicts[pid] = CandidateVerdict.LINK
        elif pid in a.excluded:
            verdicts[pid] = CandidateVerdict.EXCLUDED
        elif pid in review:
            verdicts[pid] = CandidateVerdict.REVIEW
        else:
            verdicts[pid] = CandidateVerdict.NONE
    return verdicts


def match_out(dry: DryRun, resolver: Resolver, limit: int) -> MatchOut:
    would = dry.would
    verdicts = _verdicts(dry)
    persons = sorted(
        dry.assessment.persons if dry.assessment else (),
        key=lambda p: (-p.best.match_weight, p.person_id),
    )[:limit]
    thresholds = resolver.matcher.thresholds
    return MatchOut(
        would=WouldOut(
            status=outcome_of(would),
            link_status=would.status,
            person_id=would.person_id or None,
            match_probability=would.match_probability,
            previous_person_id=would.previous_person_id,
        ),
        record_held=would.existed,
        evidence=dry.assessment.evidence if dry.assessment else None,
        candidates=[
            MatchCandidateOut(
                person_id=p.person_id,
                match_probability=p.best.match_probability,
                match_weight=p.best.match_weight,
                link_probability=p.link.match_probability if p.link else None,
                verdict=verdicts[p.person_id],
            )
            for p in persons
        ],
        auto_link_threshold=thresholds.auto_link,
        review_threshold=thresholds.review,
        model_version=resolver.matcher.model_version,
    )


@router.post(
    "/records:match",
    tags=["records"],
    summary="Dry run: the candidate persons and what the registry would do, writing nothing",
    response_model=MatchOut,
    responses={
        **_AUTH,
        403: {"description": "The token lacks the required role", **_problem},
        422: {
            "description": "The record breaks the canonical format or the registry's rules",
            **_problem,
        },
        **_MODEL,
    },
)
async def match_record(
    body: RecordIn,
    request: Request,
    ctx: Annotated[
        AccessContext,
        Depends(access_context("POST /v1/records:match", Role.APPLICATION, Role.REVIEWER)),
    ],
    matcher: MatcherDep,
    crypto: CryptoDep,
    config: RegistrySettingsDep,
    limit: Annotated[int, Query(ge=1, le=50, description="Candidate persons listed")] = 10,
) -> MatchOut:
    """For a clerk's "is this person known?" screen: the same body as `POST /v1/records`,
    the same decision (the same code: candidates, scores, the minimum evidence, consistency
    with every record of a person, reviewers' decisions), but **nothing is written and no
    lock is taken**: `would` is what posting the record now would answer (`person_id` null:
    a new person would be created), `candidates` the persons compared, closest first, each
    with its verdict (`link`, `review`, `excluded` by a reviewer's decision, `none`).

    Audit-logged like a read: one access-log entry per person listed (subject, purpose from
    `X-Purpose`, request id), or one without a person when none is. The registry may change
    between this answer and a post: the post decides.
    """
    check_known(body.source, config)  # IdentityRoute answers an unknown source with a 422

    def run(session: Session) -> MatchOut:
        repo = RegistryRepository(session)
        resolver = Resolver(repo, matcher, crypto, config, actor=ctx.principal.subject)
        answer = match_out(resolver.dry_run(body), resolver, limit)
        shown: list[str | None] = [c.person_id for c in answer.candidates]
        if answer.would.person_id and answer.would.person_id not in shown:
            shown.append(answer.would.person_id)
        for person_id in shown or [None]:
            record_access(repo, ctx, person_id=person_id)
        return answer

    return await run_unit_of_work(request, run)
