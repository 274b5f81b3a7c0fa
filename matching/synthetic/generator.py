"""``generate()``: persons, their records, entry errors, ground truth — deterministic by seed."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from matching.records import CANONICAL_COLUMNS
from matching.synthetic.errors import ERROR_ORDER, apply_errors
from matching.synthetic.population import Persons, generate_persons
from matching.synthetic.rates import ErrorRates
from matching.synthetic.records import (
    MAX_RECORDS_PER_PERSON,
    build_records,
    expected_records_per_person,
    records_per_person,
)
from matching.synthetic.reference import load_reference
from matching.synthetic.stress import STRESS_ORDER, apply_stress_errors

# 1.1.0: the stress profile (new error names in the manifest; default records unchanged).
GENERATOR_VERSION = "1.1.0"
# Missing values are empty strings, never nulls, in records.parquet and records.csv.
MISSING = ""

Progress = Callable[[str], None]


@dataclass
class Population:
    """A generated population: records in the canonical format and the truth behind them."""

    seed: int
    rates: ErrorRates
    records: pa.Table  # CANONICAL_COLUMNS, all strings, "" when missing
    truth: pa.Table  # record_id, person_id
    persons: pa.Table  # the true identity of each person
    errors: pa.Table  # record_id, errors (list of error names, see rates.ERROR_DESCRIPTIONS)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def n_persons(self) -> int:
        return self.persons.num_rows

    @property
    def n_records(self) -> int:
        return self.records.num_rows


def _counts_for_records(rng: np.random.Generator, target: int) -> npt.NDArray[np.int64]:
    """Records per person summing exactly to ``target``, persons chosen to match."""
    n = max(1, math.ceil(target / expected_records_per_person()))
    counts = records_per_person(rng, n)
    diff = int(counts.sum()) - target
    if diff > 0:  # remove ``diff`` records among persons holding more than one
        units = np.repeat(np.arange(n), counts - 1)
        np.subtract.at(counts, rng.choice(units, size=diff, replace=False), 1)
    elif diff < 0:
        add = rng.integers(0, n, -diff)
        np.add.at(counts, add, 1)
    return counts


def _persons_table(p: Persons, ref_pays: dict[str, str], counts: npt.NDArray) -> pa.Table:
    pays = [ref_pays.get(c, "") if c else "" for c in p.code_pays_naissance.tolist()]
    return pa.table(
        {
            "person_id": pa.array(p.person_id.tolist(), pa.string()),
            "origine": pa.array(p.origine.tolist(), pa.string()),
            "sexe": pa.array(p.sexe.tolist(), pa.string()),
            "nom_naissance": pa.array(p.nom_naissance.tolist(), pa.string()),
            "nom_usage": pa.array(p.nom_usage.tolist(), pa.string()),
            "prenoms": pa.array(p.prenoms.tolist(), pa.string()),
            "alias": pa.array(p.alias.tolist(), pa.string()),
            "date_naissance": pa.array(p.date_naissance.astype("datetime64[D]"), pa.date32()),
            "date_presumee": pa.array(p.date_presumee.tolist(), pa.bool_()),
            "code_commune_naissance": pa.array(p.code_commune_naissance.tolist(), pa.string()),
            "commune_naissance": pa.array(p.commune_naissance.tolist(), pa.string()),
            "ancien_code_commune": pa.array(p.ancien_code_commune.tolist(), pa.string()),
            "ancien_nom_commune": pa.array(p.ancien_nom_commune.tolist(), pa.string()),
            "code_pays_naissance": pa.array(p.code_pays_naissance.tolist(), pa.string()),
            "pays_naissance": pa.array(pays, pa.string()),
            "ville_naissance_etranger": pa.array(p.ville_naissance_etranger.tolist(), pa.string()),
            "nationalite": pa.array(p.nationalite.tolist(), pa.string()),
            "variantes_nom": pa.array(p.variantes_nom.tolist(), pa.string()),
            "variantes_prenom": pa.array(p.variantes_prenom.tolist(), pa.string()),
            "jumeau_de": pa.array(p.jumeau_de.tolist(), pa.string()),
            "fratrie_de": pa.array(p.fratrie_de.tolist(), pa.string()),
            "homonyme_de": pa.array(p.homonyme_de.tolist(), pa.string()),
            "nb_records": pa.array(counts.tolist(), pa.int32()),
        }
    )


def generate(
    persons: int | None = None,
    seed: int = 0,
    rates: ErrorRates | None = None,
    *,
    records: int | None = None,
    progress: Progress | None = None,
) -> Population:
    """Generate ``persons`` persons (or about as many as needed for exactly ``records``
    records) and their records; the same arguments always give the same population."""
    if (persons is None) == (records is None):
        raise ValueError("give exactly one of persons or records")
    if persons is not None and persons <= 0:
        raise ValueError(f"persons must be a positive integer, got {persons}")
    if records is not None and records <= 0:
        raise ValueError(f"records must be a positive integer, got {records}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    rates = rates or ErrorRates()
    say = progress or (lambda _stage: None)
    rng = np.random.Generator(np.random.PCG64(seed))
    ref = load_reference()

    say("persons")
    if records is not None:
        counts = _counts_for_records(rng, records)
    else:
        assert persons is not None
        counts = records_per_person(rng, persons)
    people = generate_persons(rng, ref, len(counts))

    say("records")
    raw = build_records(rng, ref, people, counts)
    say("errors")
    log = apply_errors(rng, ref, people, raw, rates)
    apply_stress_errors(seed, people, raw, rates, log)

    say("tables")
    n = len(raw.person_index)
    order = rng.permutation(n)  # record order reveals nothing about persons
    record_ids = [f"R{i:09d}" for i in range(n)]
    cols = raw.columns
    data: dict[str, pa.Array] = {"record_id": pa.array(record_ids, pa.string())}
    for name in CANONICAL_COLUMNS[1:]:
        data[name] = pa.array(cols[name][order].tolist(), pa.string())
    records_table = pa.table(data)
    person_of = people.person_id[raw.person_index[order]].tolist()
    truth = pa.table(
        {
            "record_id": pa.array(record_ids, pa.string()),
            "person_id": pa.array(person_of, pa.string()),
        }
    )
    errors = pa.table(
        {
            "record_id": pa.array(record_ids, pa.string()),
            "errors": pa.array([log.per_record[i] for i in order.tolist()], pa.list_(pa.string())),
        }
    )
    persons_table = _persons_table(people, ref.pays, counts)

    sources = Counter(cols["source"].tolist())
    stats: dict[str, Any] = {
        "persons": len(people),
        "records": n,
        "max_records_per_person": int(counts.max()),
        "records_per_person_cap": MAX_RECORDS_PER_PERSON,
        "records_by_source": dict(sorted(sources.items())),
        "persons_by_origin": dict(sorted(Counter(people.origine.tolist()).items())),
        "persons_born_abroad": int((people.code_pays_naissance != "").sum()),
        "persons_with_presumed_date": int(people.date_presumee.sum()),
        "twins": int((people.jumeau_de != "").sum()),
        "siblings": int((people.fratrie_de != "").sum()),
        "namesakes": int((people.homonyme_de != "").sum()),
        "records_with_old_commune_code": int(raw.old_commune.sum()),
        "errors": {
            name: {
                "rate": rates.as_dict()[name],
                "eligible": log.eligible[name],
                "applied": log.applied[name],
            }
            for name in (*ERROR_ORDER, *STRESS_ORDER)
        },
        "records_without_error": sum(
            1 for e in log.per_record if not [x for x in e if x != "commune_ancienne"]
        ),
    }
    return Population(seed, rates, records_table, truth, persons_table, errors, stats)
