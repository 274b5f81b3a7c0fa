"""Fuzz the communes, courts and tariffs endpoints against their own OpenAPI document.

Every generated request (valid and invalid codes, dates, types, incomes...) must get an answer
that is not a 5xx and that conforms to the documented responses.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.usefixtures("courts_loaded")

PATHS = r"^/v1/(courts|communes|tariffs)"


def test_communes_courts_and_tariffs_never_fail(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.include(path_regex=PATHS).get_all_operations()]
    assert {op.path for op in operations} >= {
        "/v1/courts",
        "/v1/courts/{court_id}",
        "/v1/communes/{code}",
        "/v1/tariffs/fixed-fines/{classe}",
        "/v1/tariffs/child-support/estimate",
    }
    for operation in operations:
        # An operation without parameters (the tariffs index) has no invalid input to generate.
        has_parameters = bool(operation.definition.raw.get("parameters"))
        modes = (
            (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            if has_parameters
            else (GenerationMode.POSITIVE,)
        )
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=25,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                # Every check but "schema-valid data is accepted": a well-formed code may name
                # no commune (404), a date may precede every recorded version (404).
                case.call_and_validate(excluded_checks=[positive_data_acceptance])

            run()
