"""Known namesakes of a suggestion's two persons: other persons a reviewer must not confuse them
with.

Two sources, both cheap and index-backed:
- persons holding a record that shares a blocking key with one of the two records and carries
  the same name (the unordered pair of surname and first given name keys, so a clerk's
  nom/prénom inversion still counts); their date and place of birth are what tells them apart;
- persons a reviewer already declared different from one of the two persons (cannot-links).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from identity.review.config import ReviewSettings
from identity.review.repository import ReviewRepository
from identity.review.schemas import Namesake


def name_signature(std: Mapping[str, Any]) -> str | None:
    """Surname and first given name, order-insensitive (``np_sig`` of the standardisation)."""
    sig = std.get("np_sig")
    if isinstance(sig, str) and sig:
        return sig
    nom, prenom = std.get("nom_phon") or std.get("nom_std"), std.get("prenom1_phon")
    if not prenom:
        prenom = std.get("prenom1_std")
    if isinstance(nom, str) and isinstance(prenom, str) and nom and prenom:
        return "|".join(sorted((nom, prenom)))
    return None


def _place(std: Mapping[str, Any]) -> str | None:
    for key in ("lieu_nom", "lieu_code", "lieu_etranger", "lieu_pays"):
        value = std.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def find_namesakes(
    repo: ReviewRepository,
    pair: Sequence[tuple[uuid.UUID, Mapping[str, Any]]],
    *,
    exclude_persons: set[str],
    settings: ReviewSettings,
) -> list[Namesake]:
    if settings.max_namesakes == 0:
        return []
    registry = repo.registry
    signatures = {
        side: name_signature(std) for side, (_, std) in zip(("left", "right"), pair, strict=True)
    }
    hits = registry.records.candidate_ids(
        repo.key_hashes_of([rid for rid, _ in pair]), settings.namesake_candidates
    )
    candidate_ids = {rid for ids in hits.values() for rid in ids} - {rid for rid, _ in pair}
    rows = registry.records.load_candidates(candidate_ids)

    found: dict[str, dict[str, Any]] = {}
    for row in sorted(rows.values(), key=lambda r: str(r.record_id)):
        if row.person_id in exclude_persons:
            continue
        sig = name_signature(row.std)
        sides = [side for side, s in signatures.items() if s is not None and s == sig]
        if not sides:
            continue
        entry = found.setdefault(row.person_id, {"sides": set(), "std": row.std})
        entry["sides"].update(sides)

    # Persons declared different from either side.
    pair_persons = registry.persons.persons_of([rid for rid, _ in pair])
    side_of_person = {
        pair_persons[rid]: side for side, (rid, _) in zip(("left", "right"), pair, strict=True)
    }
    own_records: dict[uuid.UUID, str] = {}
    for person, side in side_of_person.items():
        for rid in registry.persons.records_of_person(person):
            own_records[rid] = side
    _, cannot = registry.suggestions.active_constraints(list(own_records))
    partners: dict[uuid.UUID, str] = {}
    for a, b in cannot:
        if a in own_records and b not in own_records:
            partners[b] = own_records[a]
        elif b in own_records and a not in own_records:
            partners[a] = own_records[b]
    partner_person = registry.persons.persons_of(partners)
    different: set[str] = set()
    partner_std = registry.records.load_candidates([r for r in partners if r in partner_person])
    for rid, side in partners.items():
        partner = partner_person.get(rid)
        if partner is None or partner in exclude_persons:
            continue
        different.add(partner)
        entry = found.setdefault(
            partner, {"sides": set(), "std": partner_std[rid].std if rid in partner_std else {}}
        )
        entry["sides"].add(side)

    if not found:
        return []
    chosen = sorted(found, key=lambda p: (p not in different, p))[: settings.max_namesakes]
    counts = registry.persons.record_counts(chosen)
    sources: dict[str, set[str]] = defaultdict(set)
    for held in repo.person_record_rows(chosen):
        sources[held.person_id].add(held.source)
    out = []
    for person in chosen:
        std = found[person]["std"]
        sides = found[person]["sides"]
        dn = std.get("dn")
        sexe = std.get("sexe_std")
        out.append(
            Namesake(
                person_id=person,
                records=counts.get(person, 0),
                sources=sorted(sources[person]),
                date_naissance=dn if isinstance(dn, str) else None,
                lieu_naissance=_place(std),
                sexe=sexe if isinstance(sexe, str) else None,
                declared_different=person in different,
                resembles="both" if len(sides) == 2 else next(iter(sides)),
            )
        )
    return out
