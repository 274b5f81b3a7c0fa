"""The penalties of the alinéas an offence's "Réprimée par" cites, on a date.

NATINF's "Réprimée par" names articles and alinéas (``ART.227-3 AL.1, ART.227-29 C.PENAL.``,
``Art. L. 234-1 §I du C. de la route.``), parsed into references by
``refdata.natinf.articles.parse_references``. For each reference to an article the law dataset
holds, this module returns the penalty rows of the cited alinéas (all the article's alinéas
when none is cited; the alinéas of a division for ``§II``) in force on the date, the
sentences of those alinéas left unread, and whether the date is within what the corpus knows.

:class:`LawIndex` holds the rows detached from any session: built once per release state for
the API's offence snapshot (:meth:`LawIndex.load`), or for a few articles for a single read
(:meth:`LawIndex.for_references`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from refdata.law.models import ArticleVersion, LawCorpus, LawPenalty, LawUnresolved
from refdata.law.text import alineas, article_key


@dataclass(frozen=True, slots=True)
class PenaltyRow:
    code: str
    article: str
    version: int
    valid_from: date
    valid_to: date | None
    statement: int
    alinea: int
    form: str
    kind: str
    max_months: int | None
    life: bool
    amount: Decimal | None
    currency: str | None
    contravention_class: int | None
    alternative: bool
    fine_may_exceed: bool
    legal_persons: bool
    sentence: str
    source_sentence: str
    repository: str
    path: str
    commit: str


@dataclass(frozen=True, slots=True)
class UnresolvedRow:
    code: str
    article: str
    version: int
    valid_from: date
    valid_to: date | None
    alinea: int
    reason: str
    sentence: str


@dataclass(frozen=True, slots=True)
class VersionRow:
    code: str
    article: str
    version: int
    valid_from: date
    valid_to: date | None
    # (alinéa number, division, number in the division) of each alinéa.
    layout: tuple[tuple[int, str | None, int | None], ...]


def _in_force(valid_from: date, valid_to: date | None, on: date) -> bool:
    return valid_from <= on and (valid_to is None or on < valid_to)


@dataclass(frozen=True)
class CitedArticle:
    """One reference of "Réprimée par" as the law dataset answers it on a date."""

    code: str
    article: str
    cited_alineas: tuple[int, ...] | None  # None: the whole article
    version: VersionRow | None  # the version in force that day (None: not in force / not held)
    penalties: tuple[PenaltyRow, ...]
    unresolved: tuple[UnresolvedRow, ...]
    note: str | None = None  # why nothing could be read (not held, not in force...)


@dataclass(frozen=True)
class CitedPenalties:
    on: date
    known_until: date | None
    articles: list[CitedArticle] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        """Whether ``on`` is within what the corpus knows."""
        return self.known_until is not None and self.on <= self.known_until

    @property
    def penalties(self) -> list[PenaltyRow]:
        return [p for a in self.articles for p in a.penalties]

    @property
    def unresolved(self) -> list[UnresolvedRow]:
        return [u for a in self.articles for u in a.unresolved]


def _detached(record_type: type[Any], row: object) -> Any:
    return record_type(**{f.name: getattr(row, f.name) for f in fields(record_type)})


class LawIndex:
    def __init__(
        self,
        known_until: date | None,
        versions: Iterable[ArticleVersion],
        penalties: Iterable[LawPenalty],
        unresolved: Iterable[LawUnresolved],
    ) -> None:
        self.known_until = known_until
        self._versions: dict[tuple[str, str], list[VersionRow]] = defaultdict(list)
        for v in versions:
            layout = tuple((a.number, a.division, a.number_in_division) for a in alineas(v.alineas))
            self._versions[(v.code, v.article_key)].append(
                VersionRow(v.code, v.article, v.version, v.valid_from, v.valid_to, layout)
            )
        self._penalties: dict[tuple[str, str, int], list[PenaltyRow]] = defaultdict(list)
        for p in penalties:
            self._penalties[(p.code, p.article, p.version)].append(_detached(PenaltyRow, p))
        self._unresolved: dict[tuple[str, str, int], list[UnresolvedRow]] = defaultdict(list)
        for u in unresolved:
            self._unresolved[(u.code, u.article, u.version)].append(_detached(UnresolvedRow, u))

    @classmethod
    def load(cls, session: Session) -> LawIndex:
        """Every article of the dataset (for a snapshot rebuilt once per release state)."""
        corpus = session.scalar(select(LawCorpus))
        return cls(
            corpus.known_until if corpus else None,
            session.scalars(select(ArticleVersion)),
            session.scalars(select(LawPenalty)),
            session.scalars(select(LawUnresolved)),
        )

    @classmethod
    def for_references(cls, session: Session, refs: Sequence[dict[str, Any]]) -> LawIndex:
        """Only the articles ``refs`` cite (for one read)."""
        corpus = session.scalar(select(LawCorpus))
        keys = {(r["text"], article_key(r["article"])) for r in refs if r.get("text")}
        if corpus is None or not keys:
            return cls(corpus.known_until if corpus else None, [], [], [])
        versions = [
            v
            for v in session.scalars(
                select(ArticleVersion).where(
                    ArticleVersion.code.in_({c for c, _ in keys}),
                    ArticleVersion.article_key.in_({k for _, k in keys}),
                )
            )
            if (v.code, v.article_key) in keys
        ]
        articles = {(v.code, v.article) for v in versions}
        penalties = [
            p
            for p in session.scalars(
                select(LawPenalty).where(LawPenalty.article.in_({a for _, a in articles}))
            )
            if (p.code, p.article) in articles
        ]
        unresolved = [
            u
            for u in session.scalars(
                select(LawUnresolved).where(LawUnresolved.article.in_({a for _, a in articles}))
            )
            if (u.code, u.article) in articles
        ]
        return cls(corpus.known_until, versions, penalties, unresolved)

    def cited(self, refs: Sequence[dict[str, Any]], on: date) -> CitedPenalties:
        result = CitedPenalties(on=on, known_until=self.known_until)
        if self.known_until is None:
            return result
        for ref in refs:
            if not ref.get("text"):
                continue  # a decree or an order: not a code the dataset holds
            result.articles.append(self._one(ref, on))
        return result

    def _one(self, ref: dict[str, Any], on: date) -> CitedArticle:
        code, number = ref["text"], ref["article"]
        versions = self._versions.get((code, article_key(number)))
        if not versions:
            return CitedArticle(code, number, None, None, (), (), "article not in the law dataset")
        version = next((v for v in versions if _in_force(v.valid_from, v.valid_to, on)), None)
        if version is None:
            return CitedArticle(
                code, versions[0].article, None, None, (), (), "article not in force that day"
            )
        cited = _cited_alineas(version, ref)
        key = (version.code, version.article, version.version)
        penalties = tuple(
            p
            for p in self._penalties.get(key, [])
            if _in_force(p.valid_from, p.valid_to, on) and (cited is None or p.alinea in cited)
        )
        unresolved = tuple(
            u
            for u in self._unresolved.get(key, [])
            if _in_force(u.valid_from, u.valid_to, on) and (cited is None or u.alinea in cited)
        )
        return CitedArticle(code, version.article, cited, version, penalties, unresolved)


def _cited_alineas(version: VersionRow, ref: dict[str, Any]) -> tuple[int, ...] | None:
    """The alinéa numbers a reference cites (None: the whole article).

    "AL.2" is the second alinéa of the article; "§II al. 2" the second of division II; "§II"
    alone every alinéa of division II.
    """
    wanted = [int(a) for a in ref.get("alineas", []) if str(a).isdigit()]
    divisions = [str(d) for d in ref.get("paragraphs", [])]
    if divisions:
        in_divisions = [entry for entry in version.layout if entry[1] in divisions]
        if wanted:
            return tuple(n for n, _, within in in_divisions if within in wanted)
        return tuple(n for n, _, _ in in_divisions)
    if wanted:
        return tuple(wanted)
    return None
