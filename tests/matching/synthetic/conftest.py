"""One medium population shared by the tests of this folder (generating it takes seconds)."""

from __future__ import annotations

import pytest

from matching.synthetic import Population, generate


@pytest.fixture(scope="session")
def population() -> Population:
    return generate(persons=20_000, seed=20260101)


@pytest.fixture(scope="session")
def persons_by_id(population: Population) -> dict[str, dict[str, object]]:
    return {row["person_id"]: row for row in population.persons.to_pylist()}
