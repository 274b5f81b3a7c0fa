"""What a ``law`` release publishes: the article versions and the penalties they state.

A change of penalty is a change partners must see: every load of a new law dataset that
changes an article version or a penalty row publishes the next ``law`` release, whose diff
(``GET /v1/releases/{id}/diff``) lists the versions and penalties added, changed and retired,
and whose bulk files (``law_article_versions.csv``, ``law_penalties.csv``, ``law.json``) carry
them with their provenance. The alinéas' text is in the JSON file (a CSV cell is a poor place
for a whole article).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from refdata.law.models import ArticleVersion, LawPenalty
from refdata.releases.curated import CuratedDataset, ItemKind, table_rows

VERSION_COLUMNS = (
    "code",
    "article",
    "version",
    "valid_from",
    "valid_to",
    "recorded_from",
    "in_force_from_basis",
    "amended_by",
    "ended_by",
    "ended_by_commit",
    "repository",
    "path",
    "commit",
    "scope",
)
PENALTY_KEY = ("code", "article", "version", "statement", "kind", "valid_from")
# In releases a penalty's kind is published as ``penalty_kind``: a release item's ``kind`` is
# already its item kind (``penalty``, ``article_version``) in diffs.
PUBLISHED_PENALTY_KEY = tuple("penalty_kind" if k == "kind" else k for k in PENALTY_KEY)
PENALTY_COLUMNS = (
    "code",
    "article",
    "version",
    "valid_from",
    "valid_to",
    "statement",
    "alinea",
    "division",
    "form",
    "penalty_kind",
    "max_months",
    "life",
    "amount",
    "currency",
    "contravention_class",
    "alternative",
    "fine_may_exceed",
    "legal_persons",
    "quoted",
    "source_code",
    "source_article",
    "source_version",
    "source_alinea",
    "via",
    "sentence",
    "source_sentence",
    "repository",
    "path",
    "commit",
    "source_path",
    "source_commit",
)


def _tables(session: Session) -> dict[str, list[dict[str, Any]]]:
    versions = table_rows(session, ArticleVersion.__table__)
    for fields in versions:
        del fields["article_key"]  # a lookup aid, not a published fact
    penalties = table_rows(session, LawPenalty.__table__)
    for fields in penalties:
        fields["penalty_kind"] = fields.pop("kind")
    return {"article_version": versions, "penalty": penalties}


LAW = CuratedDataset(
    name="law",
    kinds=(
        ItemKind(
            "article_version",
            ("code", "article", "version"),
            "article_versions",
            "law_article_versions.csv",
            tuple((c, c) for c in VERSION_COLUMNS),
        ),
        ItemKind(
            "penalty",
            PUBLISHED_PENALTY_KEY,
            "penalties",
            "law_penalties.csv",
            tuple((c, c) for c in PENALTY_COLUMNS),
        ),
    ),
    json_file="law.json",
    read_tables=_tables,
)
