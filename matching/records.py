"""The canonical identity record (DESIGN.md section 4): the column names used in files, API
bodies and the registry. Every field but ``record_id``/``source``/``source_ref`` may be empty.
"""

from __future__ import annotations

from typing import Final

CANONICAL_COLUMNS: Final[tuple[str, ...]] = (
    "record_id",
    "source",
    "source_ref",
    "record_date",
    "civilite",
    "nom_naissance",
    "nom_usage",
    "prenoms",  # space-separated, civil order
    "alias",
    "sexe",
    "date_naissance",  # YYYY-MM-DD, or partial YYYY-MM / YYYY, or empty
    "date_deces",
    "commune_naissance",
    "code_commune_naissance",  # INSEE code
    "pays_naissance",
    "code_pays_naissance",  # INSEE 99xxx; empty or 99100 for France
    "nationalite",
)

REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("record_id", "source", "source_ref")

# The source applications of the justice ministry whose records the registry links.
SOURCES: Final[tuple[str, ...]] = (
    "CASSIOPEE",  # penal chain
    "GENESIS",  # prisons
    "APPI",  # sentence enforcement
    "PARCOURS",  # youth protection
    "WINEUR",  # youth protection (legacy)
    "PORTALIS",  # civil chain
)
YOUTH_SOURCES: Final[frozenset[str]] = frozenset({"PARCOURS", "WINEUR"})
