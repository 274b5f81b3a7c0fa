"""What a dataset declares about its releases, so that one machinery serves every dataset.

Each dataset declares a :class:`ReleaseDefinition` in its own ``release.py``
(``refdata.natinf.release``, ``refdata.courts.release``...) and ``refdata.datasets`` lists
them. The diffs (:mod:`refdata.releases.diffs`) and the downloads
(:mod:`refdata.releases.downloads`) take that list as an argument: the release machinery
names no dataset, and a new dataset is one subpackage plus one line in ``refdata.datasets``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from refdata.releases.models import Release

# Item key -> published fields. A key is a scalar (a NATINF code) or a tuple of parts.
ReleaseState = dict[Any, dict[str, Any]]


@dataclass(frozen=True)
class VersionedTable:
    """A table whose rows a dataset's releases open and close (what a withdrawal undoes)."""

    model: type[Any]  # a mapped class with an ``id`` (when rows are closed) and the columns below
    # The column naming the release that introduced (recorded) a row.
    introduced_by: str = "introduced_in"
    # The columns a release sets when it closes a row, the release first (``retired_in``, and
    # ``valid_to`` for the offences' publication intervals); empty: rows are never closed.
    closed_by: tuple[str, ...] = ("retired_in",)


@dataclass(frozen=True)
class ReleaseDefinition:
    name: str  # dataset of the releases: "natinf", "courts"...
    # The state a release publishes, read back from the database (for diffs).
    state: Callable[[Session, Release], ReleaseState]
    # Names of the key's parts, in order (a scalar key has one name).
    key_fields: tuple[str, ...]
    # Public names of its bulk files (in ``/v1/downloads`` URLs) ...
    files: tuple[str, ...]
    # ... and how to build them all again for a release, byte for byte (a missing file).
    build_files: Callable[[Session, Release], dict[str, bytes]]
    # Extra fields of a retired item in a diff (the successors of a retired NATINF code).
    retired_details: Callable[[Session, Any], dict[str, Any]] | None = None
    # The tables its releases write, when its releases can be withdrawn
    # (:mod:`refdata.releases.withdrawal`); empty for datasets whose tables a loader makes
    # equal to curated files (a corrected file is loaded instead).
    versioned_tables: tuple[VersionedTable, ...] = ()


Definitions = Mapping[str, ReleaseDefinition]
