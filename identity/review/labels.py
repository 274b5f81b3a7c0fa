"""Reviewers' decisions as clerical labels on record pairs.

One label per pair of records: the latest decision in force ("same" → 1, "different" → 0);
an undone merge revokes its "same" and the undo itself is a "different". "unsure" is no label.
The score the model gave the pair when it was suggested travels with the label, so the
precision of the model can be estimated per score band (``srj link evaluate --labels``) and a
retrained model can learn from them (``srj link train --labels``).

The file is the labels format of ``matching.io.read_labels``: ``record_id_l, record_id_r,
clerical_match_score`` (plus ``decision`` and the score columns, which it ignores).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from identity.crypto import RegistryCrypto
from identity.models import DecisionKind
from identity.review.repository import ReviewRepository
from matching import atomic_output_file


class LabelIds(StrEnum):
    # The ``record_id`` the source sent with the record: the identifiers of the extract files
    # statisticians train and evaluate on.
    RECORD_ID = "record_id"
    # The registry's own record identifiers (what ``srj registry relink`` clusters).
    REGISTRY = "registry"


@dataclass(frozen=True)
class Label:
    record_a: uuid.UUID
    record_b: uuid.UUID
    decision: str  # same / different
    decided_at: datetime
    match_probability: float | None
    match_weight: float | None
    model_version: str | None

    @property
    def score(self) -> float:
        return 1.0 if self.decision == DecisionKind.SAME.value else 0.0


def current_labels(repo: ReviewRepository) -> list[Label]:
    """The decision in force on each decided pair, with the score it had when suggested."""
    in_force: dict[frozenset[uuid.UUID], tuple[uuid.UUID, uuid.UUID, str, datetime]] = {}
    scores: dict[frozenset[uuid.UUID], tuple[float, float, str | None]] = {}
    for row in repo.label_rows():  # oldest first: the latest decision in force wins
        pair = frozenset((row.record_a_id, row.record_b_id))
        if row.match_probability is not None:
            scores[pair] = (row.match_probability, row.match_weight, row.model_version)
        if row.decision == DecisionKind.UNSURE.value or row.revoked_by_id is not None:
            continue
        in_force[pair] = (row.record_a_id, row.record_b_id, row.decision, row.decided_at)
    labels = []
    for pair, (a, b, decision, decided_at) in in_force.items():
        score = scores.get(pair)
        labels.append(
            Label(
                record_a=a,
                record_b=b,
                decision=decision,
                decided_at=decided_at,
                match_probability=score[0] if score else None,
                match_weight=score[1] if score else None,
                model_version=score[2] if score else None,
            )
        )
    labels.sort(key=lambda lb: (lb.decided_at, str(lb.record_a), str(lb.record_b)))
    return labels


@dataclass
class ExportSummary:
    labels: int
    same: int
    different: int
    skipped_without_record_id: int
    path: Path


def _client_ids(
    repo: ReviewRepository, crypto: RegistryCrypto, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    out = {}
    for row in repo.sealed_records(ids):
        client = crypto.sealer.open(row.id, row.seal_key_id, row.sealed).get("record_id")
        if client is not None and str(client):
            out[row.id] = str(client)
    return out


def export_labels(
    repo: ReviewRepository, crypto: RegistryCrypto, out: Path, ids: LabelIds
) -> ExportSummary:
    """Writes the labels to ``out`` (``.parquet``, else CSV), atomically."""
    labels = current_labels(repo)
    if ids == LabelIds.RECORD_ID:
        names = _client_ids(repo, crypto, [r for lb in labels for r in (lb.record_a, lb.record_b)])
    else:
        names = {r: str(r) for lb in labels for r in (lb.record_a, lb.record_b)}
    kept = [lb for lb in labels if lb.record_a in names and lb.record_b in names]
    table = pa.table(
        {
            "record_id_l": pa.array([names[lb.record_a] for lb in kept], pa.string()),
            "record_id_r": pa.array([names[lb.record_b] for lb in kept], pa.string()),
            "clerical_match_score": pa.array([lb.score for lb in kept], pa.float64()),
            "decision": pa.array([lb.decision for lb in kept], pa.string()),
            "match_probability": pa.array([lb.match_probability for lb in kept], pa.float64()),
            "match_weight": pa.array([lb.match_weight for lb in kept], pa.float64()),
            "model_version": pa.array([lb.model_version for lb in kept], pa.string()),
            "decided_at": pa.array([lb.decided_at.isoformat() for lb in kept], pa.string()),
        }
    )
    with atomic_output_file(out) as tmp:
        if out.suffix.lower() == ".parquet":
            pq.write_table(table, tmp)
        else:
            pacsv.write_csv(table, tmp)
    same = sum(1 for lb in kept if lb.decision == DecisionKind.SAME.value)
    return ExportSummary(
        labels=len(kept),
        same=same,
        different=len(kept) - same,
        skipped_without_record_id=len(labels) - len(kept),
        path=out,
    )
