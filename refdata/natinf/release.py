"""What ``natinf`` and ``penalties`` releases publish, for diffs and bulk files.

A ``natinf`` release publishes offence versions keyed by NATINF code (a retired code lists its
successors in a diff) and four bulk files (:data:`~refdata.natinf.bulk_files.OFFENCE_FORMATS`);
a ``penalties`` release publishes penalty versions keyed by code, category, penalty and start of
validity, as CSV and JSON. The imports themselves are :func:`refdata.natinf.service.import_natinf`
and :func:`refdata.natinf.penalties.import_penalties`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from refdata.natinf import repository as repo
from refdata.natinf.bulk_files import OFFENCE_FORMATS, ReleaseHeader
from refdata.natinf.models import OffenceSuccessor, OffenceVersion, PenaltyVersion
from refdata.natinf.penalties import FIELDS as PENALTY_FIELDS
from refdata.natinf.penalties import (
    PENALTIES_DATASET,
    PENALTY_MEDIA_TYPES,
    build_penalty_files,
)
from refdata.natinf.service import NATINF_DATASET, release_snapshots, release_state
from refdata.releases.definition import ReleaseDefinition, ReleaseState, VersionedTable
from refdata.releases.models import Release


def _natinf_files(session: Session, release: Release) -> dict[str, bytes]:
    header = ReleaseHeader(release.id, release.dataset, release.published_on)
    snapshots = release_snapshots(session, release)
    return {name: fmt.build(header, snapshots) for name, fmt in OFFENCE_FORMATS.items()}


def _successors(session: Session, natinf: Any) -> dict[str, Any]:
    return {"successors": repo.successors_of(session, natinf)}


def _penalty_state(session: Session, release: Release) -> ReleaseState:
    return {
        (v.natinf, v.category, v.kind, v.valid_from): {
            name: getattr(v, name) for name in PENALTY_FIELDS
        }
        for v in repo.penalties_in_release(session, release)
    }


NATINF = ReleaseDefinition(
    name=NATINF_DATASET,
    state=release_state,
    key_fields=("natinf",),
    files=tuple(OFFENCE_FORMATS),
    build_files=_natinf_files,
    retired_details=_successors,
    versioned_tables=(
        VersionedTable(OffenceVersion, closed_by=("retired_in", "valid_to")),
        VersionedTable(OffenceSuccessor, introduced_by="recorded_in", closed_by=()),
    ),
)

PENALTIES = ReleaseDefinition(
    name=PENALTIES_DATASET,
    state=_penalty_state,
    key_fields=("natinf", "category", "kind", "valid_from"),
    files=tuple(PENALTY_MEDIA_TYPES),
    build_files=build_penalty_files,
    versioned_tables=(VersionedTable(PenaltyVersion),),
)
