"""Fuzz the review API against its own OpenAPI document (schemathesis): no request, valid or
not, gets a 5xx or an undocumented answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

REVIEW_PATHS = r"^/v1/(reviews|persons/\{person_id\}/split)"


def test_review_api_never_fails(
    app: FastAPI,
    make_pair: Callable[..., Any],
    reviewer: dict[str, str],
) -> None:
    for tag, nom in (("Z1", "ALPHA"), ("Z2", "BETA")):
        make_pair(tag, nom=nom)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [r.ok() for r in schema.include(path_regex=REVIEW_PATHS).get_all_operations()]
    assert {op.path for op in operations} == {
        "/v1/reviews",
        "/v1/reviews/statistics",
        "/v1/reviews/{review_id}",
        "/v1/reviews/{review_id}/decision",
        "/v1/persons/{person_id}/split",
    }
    for operation in operations:
        # The statistics take no input at all: there is nothing invalid to send them.
        modes = [GenerationMode.POSITIVE]
        if operation.path != "/v1/reviews/statistics":
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=20,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                # Well-formed requests are refused on purpose (unknown ids, stale versions,
                # merges that cannot be undone) with documented 4xx problems.
                case.call_and_validate(headers=reviewer, excluded_checks=[positive_data_acceptance])

            run()
