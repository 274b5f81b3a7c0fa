"""Fuzz the public NATINF endpoints against their own OpenAPI document with schemathesis.

Every generated request (valid and invalid parameters, bodies, paths) must get an answer that
is not a 5xx and that conforms to the documented responses. The database holds real rows, so
lookups, searches, diffs and downloads are exercised on data, not only on 404s.
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session

from refdata.natinf.penalties import import_penalties
from refdata.releases.storage import BulkStore
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, CURATED_PENALTIES, OFFICIAL


@pytest.fixture
def refdata_schema(
    app: FastAPI,
    import_rows: ImportRows,
    db_session: Session,
    store: BulkStore,
    tariffs_loaded: None,
) -> schemathesis.schemas.BaseSchema:
    import_rows(OFFICIAL, "2026-07-01")
    import_rows(ALL_ROWS, "2026-10-01")
    # The curated penalties of the codes present (the others need codes not loaded here).
    lines = CURATED_PENALTIES.read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line.split(";")[0] in {"11", "13", "180"})]
    import_penalties(
        db_session,
        "\n".join(kept).encode(),
        published_on=date(2026, 10, 2),
        store=store,
    )
    db_session.commit()
    return schemathesis.openapi.from_asgi("/openapi.json", app)


PUBLIC = r"^/v1/(offences|releases|downloads|sentence-checks)"


def test_public_refdata_api_never_fails(refdata_schema: schemathesis.schemas.BaseSchema) -> None:
    # Schemathesis' pytest loader (``from_fixture``) relies on pytest internals that pytest 9
    # removed; its strategies are driven with hypothesis directly instead, one operation at a
    # time, positive and negative generation modes.
    operations = [
        result.ok() for result in refdata_schema.include(path_regex=PUBLIC).get_all_operations()
    ]
    assert {op.path for op in operations} >= {
        "/v1/offences",
        "/v1/offences/{natinf}",
        "/v1/releases",
        "/v1/releases/{release_id}",
        "/v1/releases/{release_id}/diff",
        "/v1/downloads/{release_ref}/{file_name}",
        "/v1/sentence-checks",
    }
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=25,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                # Every check but "schema-valid data is accepted": some inputs are well formed
                # yet refused on purpose (a forged cursor, a diff across datasets,
                # encoding=latin-1 on JSON), with a 4xx problem the checks still validate.
                case.call_and_validate(excluded_checks=[positive_data_acceptance])

            run()
