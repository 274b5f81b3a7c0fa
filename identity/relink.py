"""``srj registry relink``: the batch model over the whole registry, reconciled with the persons.

1. Snapshot every record's standardised keys, current person, manual links and decisions.
2. Cluster with the batch model, honouring every decision as a hard constraint: "same" and
   the records a reviewer put together are must-links; "different" are cannot-links (no
   chaining through them). If a cluster still holds manual links of two persons, cannot-links
   between those persons are added and the clustering runs again.
3. Under the registry's exclusive lock, check nothing was decided meanwhile (else start over),
   reconcile the clusters with the current persons (:mod:`identity.reconcile`), and apply the
   plan: records move, clusters without a person become new persons (``split_from``), persons
   without a cluster redirect to their survivor (``merged_into``), each change an event.
   Pending suggestions the new persons settle are closed; review-band pairs across persons
   become suggestions.

Idempotent: a second run on an unchanged registry computes the same clusters, which already
coincide with the persons, and writes nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from identity.crypto import RegistryCrypto
from identity.matcher import Clustering, Matcher, ScoredPair
from identity.models import ChangeCause, Link, LinkOrigin, SuggestionStatus
from identity.persons import PersonChanges, auto_link
from identity.reconcile import ManualConflictError, Plan, reconcile
from identity.repository import RegistryRepository, key_hash
from srj.db import session_scope

ACTOR = "srj registry relink"
MAX_ATTEMPTS = 3
MAX_CONFLICT_ROUNDS = 5


@dataclass
class RelinkSummary:
    records: int = 0
    clusters: int = 0
    moved_records: int = 0
    new_persons: int = 0
    merged_persons: int = 0
    suggestions_opened: int = 0
    suggestions_closed: int = 0
    model_version: str = ""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @property
    def changed(self) -> bool:
        return bool(
            self.moved_records
            or self.new_persons
            or self.merged_persons
            or self.suggestions_opened
            or self.suggestions_closed
        )


@dataclass
class _Snapshot:
    table: pa.Table
    current: dict[uuid.UUID, str]
    manual: set[uuid.UUID]
    must: list[tuple[uuid.UUID, uuid.UUID]]
    cannot: list[tuple[uuid.UUID, uuid.UUID]]
    decision_mark: int


def _unique_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[int, uuid.UUID]] = set()
    out = []
    for row in rows:
        k = (row["key_hash"], row["record_id"])
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


class Relinker:
    def __init__(
        self,
        write_factory: sessionmaker[Session],
        read_factory: sessionmaker[Session],
        matcher: Matcher,
        crypto: RegistryCrypto,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.write_factory = write_factory
        self.read_factory = read_factory
        self.matcher = matcher
        self.crypto = crypto
        self.progress = progress or (lambda _message: None)

    def run(self, *, dry_run: bool = False) -> RelinkSummary:
        if not dry_run:
            self._restandardise()
        for _ in range(MAX_ATTEMPTS):
            snapshot = self._snapshot()
            clustering = self._cluster(snapshot)
            summary = RelinkSummary(
                records=snapshot.table.num_rows,
                clusters=len(set(clustering.cluster_of.values())),
                model_version=clustering.model_version,
            )
            with session_scope(self.write_factory) as session:
                repo = RegistryRepository(session)
                repo.lock_keys((), exclusive_registry=True)
                if repo.suggestions.latest_decision_id() != snapshot.decision_mark:
                    continue  # a reviewer decided meanwhile: the constraints changed
                self._apply(repo, snapshot, clustering, summary, dry_run=dry_run)
                if dry_run:
                    session.rollback()
            return summary
        raise RuntimeError(
            "reviewers kept deciding while the relink ran; run it again in a quieter moment"
        )

    # -- 0. records standardised by an older standardisation -------------------------------------

    def _restandardise(self, batch: int = 2000) -> int:
        """Re-standardise (from the sealed traits) every record of an older standardisation."""
        version = self.matcher.standardisation_version
        with session_scope(self.read_factory) as session:
            stale = RegistryRepository(session).records.stale_records(version)
        if stale:
            self.progress(f"re-standardising {len(stale)} records")
        for start in range(0, len(stale), batch):
            ids = stale[start : start + batch]
            with session_scope(self.write_factory) as session:
                repo = RegistryRepository(session)
                repo.lock_keys((), exclusive_registry=True)
                updates: list[dict[str, Any]] = []
                keys: list[dict[str, Any]] = []
                for rid, source, sealed, key_id in repo.records.sealed_of(ids):
                    payload = self.crypto.sealer.open(rid, key_id, sealed)
                    traits = payload.get("traits")
                    canonical: dict[str, Any] = dict(traits) if isinstance(traits, dict) else {}
                    canonical["source"] = source
                    std = self.matcher.standardise(canonical)
                    updates.append(
                        {
                            "id": rid,
                            "std": orjson.dumps(std, option=orjson.OPT_SORT_KEYS).decode(),
                            "std_version": version,
                        }
                    )
                    keys.extend(
                        {"key_hash": key_hash(k), "record_id": rid}
                        for k in sorted(set(self.matcher.blocking_keys(std)))
                    )
                repo.records.update_records(updates)
                repo.records.replace_blocking_keys(ids, _unique_keys(keys))
        return len(stale)

    # -- 1. snapshot ---------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        self.progress("reading the registry")
        with session_scope(self.read_factory) as session:
            repo = RegistryRepository(session)
            mark = repo.suggestions.latest_decision_id()
            must, cannot = repo.suggestions.active_constraints()
            current: dict[uuid.UUID, str] = {}
            manual: set[uuid.UUID] = set()
            batches: list[pa.Table] = []
            for page in repo.records.all_records_std():
                rows = []
                for rid, std, _version, person_id, origin in page:
                    current[rid] = person_id
                    if origin == LinkOrigin.MANUAL.value:
                        manual.add(rid)
                    row = orjson.loads(std)
                    row["record_id"] = str(rid)
                    rows.append(row)
                batches.append(pa.Table.from_pylist(rows))
        table = (
            pa.concat_tables(batches, promote_options="default")
            if batches
            else pa.table({"record_id": pa.array([], pa.string())})
        )
        # Records a reviewer put in the same person stay together.
        groups: dict[str, list[uuid.UUID]] = defaultdict(list)
        for rid in sorted(manual):
            groups[current[rid]].append(rid)
        for members in groups.values():
            must.extend(pairwise(members))
        return _Snapshot(table, current, manual, must, cannot, mark)

    # -- 2. clustering ---------------------------------------------------------------------------

    def _cluster(self, snapshot: _Snapshot) -> Clustering:
        cannot = list(snapshot.cannot)
        for _ in range(MAX_CONFLICT_ROUNDS):
            self.progress("clustering with the batch model")
            clustering = self.matcher.cluster(
                snapshot.table, must_link=snapshot.must, cannot_link=cannot
            )
            conflicts = self._manual_conflicts(snapshot, clustering)
            if not conflicts:
                return clustering
            cannot.extend(conflicts)
        raise ManualConflictError("?", ["manual links could not be kept apart"])

    @staticmethod
    def _manual_conflicts(
        snapshot: _Snapshot, clustering: Clustering
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Cannot-links between one manual record of each person sharing a cluster."""
        reps: dict[str, dict[str, uuid.UUID]] = defaultdict(dict)
        for rid in sorted(snapshot.manual):
            label = clustering.cluster_of.get(rid)
            if label is not None:
                reps[label].setdefault(snapshot.current[rid], rid)
        pairs: list[tuple[uuid.UUID, uuid.UUID]] = []
        for by_person in reps.values():
            chosen = [by_person[p] for p in sorted(by_person)]
            pairs.extend((a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :])
        return pairs

    # -- 3. apply ---------------------------------------------------------------------------------

    def _apply(
        self,
        repo: RegistryRepository,
        snapshot: _Snapshot,
        clustering: Clustering,
        summary: RelinkSummary,
        *,
        dry_run: bool,
    ) -> None:
        now = datetime.now(UTC)
        # Links as they stand now (records may have come or gone since the snapshot).
        current = {
            rid: pid
            for rid, pid in repo.persons.persons_of(snapshot.current).items()
            if rid in clustering.cluster_of
        }
        manual = {
            rid
            for (rid,) in repo.session.execute(
                select(Link.record_id).where(Link.origin == LinkOrigin.MANUAL.value)
            )
        }
        created = repo.persons.person_created_at(current.values())
        plan = reconcile(current, clustering.cluster_of, manual & set(current), created)
        self._write_plan(repo, plan, clustering, summary, now)
        self._suggestions(repo, snapshot, clustering, summary, now)

    def _write_plan(
        self,
        repo: RegistryRepository,
        plan: Plan,
        clustering: Clustering,
        summary: RelinkSummary,
        now: datetime,
    ) -> None:
        """Apply the plan through the person lifecycle: new persons, moved records, merged
        persons redirecting to their survivor, a ``relinked`` event on every person changed."""
        changes = PersonChanges(
            repo,
            cause=ChangeCause.RELINK,
            actor=ACTOR,
            at=now,
            detail={"run_id": summary.run_id, "model_version": clustering.model_version},
        )
        owner: dict[str, str] = {}
        for label, person in sorted(plan.owner.items()):
            if person is None:
                person = changes.create(split_from=plan.split_from[label])
                summary.new_persons += 1
            owner[label] = person

        changed: set[str] = set()
        values = auto_link(None, None, clustering.model_version)
        for rid, (old, label) in sorted(plan.moves.items()):
            changes.move(rid, None, old, owner[label], values)
            changed.update({old, owner[label]})
        summary.moved_records = len(plan.moves)
        # The moves are written before the merges read what their persons still hold.
        changes.flush()

        for loser, label in sorted(plan.merged.items()):
            # Records that arrived after the snapshot follow their person to the survivor.
            changes.merge(loser, owner[label])
            changed.update({loser, owner[label]})
        summary.merged_persons = len(plan.merged)
        changes.relinked(sorted(changed - set(plan.merged)))
        changes.flush()

    def _suggestions(
        self,
        repo: RegistryRepository,
        snapshot: _Snapshot,
        clustering: Clustering,
        summary: RelinkSummary,
        now: datetime,
    ) -> None:
        person_of = repo.persons.persons_of(clustering.cluster_of)
        pending_rows = repo.suggestions.pending_suggestions()
        # Pending suggestions whose two records are now one person are settled.
        settled = [
            sid
            for sid, a, b in pending_rows
            if a in person_of and person_of.get(a) == person_of.get(b)
        ]
        repo.suggestions.close_suggestions(settled, "settled_by_relink", now)
        summary.suggestions_closed = len(settled)

        still_pending = {
            frozenset((person_of.get(a), person_of.get(b)))
            for sid, a, b in pending_rows
            if sid not in set(settled)
        }
        decided = repo.suggestions.decided_pairs()
        _, cannot = repo.suggestions.active_constraints()
        apart = {
            frozenset((person_of[a], person_of[b]))
            for a, b in cannot
            if a in person_of and b in person_of
        }
        best: dict[frozenset[str], ScoredPair] = {}
        for pair in clustering.review_pairs:
            person_l, person_r = person_of.get(pair.record_l), person_of.get(pair.record_r)
            if person_l is None or person_r is None or person_l == person_r:
                continue
            persons = frozenset((person_l, person_r))
            if persons in still_pending or persons in apart:
                continue  # already asked, or the two persons were declared different
            if frozenset((pair.record_l, pair.record_r)) in decided:
                continue
            kept = best.get(persons)
            if kept is None or pair.match_weight > kept.match_weight:
                best[persons] = pair
        chosen = [best[k] for k in sorted(best, key=sorted)]
        std = self._std_of(snapshot, {r for p in chosen for r in (p.record_l, p.record_r)})
        rows = []
        for pair in chosen:
            # The online scorer gives the per-comparison weights the reviewers read.
            scored = self.matcher.score(std[pair.record_l], [(pair.record_r, std[pair.record_r])])
            contributions = dict(scored[0].contributions) if scored else {}
            rows.append(
                {
                    "record_id": pair.record_l,
                    "candidate_record_id": pair.record_r,
                    "match_probability": pair.match_probability,
                    "match_weight": pair.match_weight,
                    "contributions": orjson.dumps(contributions).decode(),
                    "model_version": clustering.model_version,
                    "status": SuggestionStatus.PENDING.value,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        repo.suggestions.insert_suggestions(rows)
        summary.suggestions_opened = len(rows)

    @staticmethod
    def _std_of(snapshot: _Snapshot, ids: set[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        if not ids:
            return {}
        wanted = pa.array([str(i) for i in ids], pa.string())
        rows = snapshot.table.filter(pc.is_in(snapshot.table["record_id"], value_set=wanted))
        out = {}
        for row in rows.to_pylist():
            rid = uuid.UUID(row.pop("record_id"))
            out[rid] = row
        return out
