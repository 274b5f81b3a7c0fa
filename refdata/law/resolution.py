"""From statements to penalties in force: references followed through the law at the same dates.

An article version states penalties in its alinéas (:mod:`refdata.law.penalty_sentences`).
Some statements give them directly; others say "des mêmes peines" (the statement before, in
the same version) or "des peines prévues à l'article X" (article X *as it stood on the same
dates*: if X changed while the referring version was in force, the resolved penalty changes on
that date too, so one statement may resolve to several date ranges). A reference that cannot be
followed with certainty — an article not held, several candidate statements with different
penalties, a cycle, a date on which the target was not in force — yields an unresolved entry
with its reason, never a guess.

Intervals are half-open ``[valid_from, valid_to)``; ``valid_to`` None means "still in force
as far as the corpus knows".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from refdata.law.penalty_sentences import (
    AGGRAVATION,
    REFERENCE,
    SAME_PENALTIES,
    ArticleReading,
    Penalty,
    Statement,
    read_article,
)
from refdata.law.text import Alinea

Interval = tuple[date, date | None]


@dataclass
class ArticleVersion:
    """One version of one article: its dates, its alinéas and where it was read."""

    code: str
    article: str
    version: int
    valid_from: date
    valid_to: date | None
    alineas: list[Alinea]
    provenance: dict[str, str] = field(default_factory=dict)

    @cached_property
    def reading(self) -> ArticleReading:
        return read_article(self.alineas)

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.article)

    def label(self) -> str:
        return f"{self.code} art. {self.article} v{self.version}"


@dataclass(frozen=True)
class Resolved:
    """Penalties a statement carries over an interval, and the chain that led to them."""

    statement: Statement  # the statement as written in the article version
    version: ArticleVersion
    interval: Interval
    penalties: tuple[Penalty, ...]
    source: Statement  # the statement whose words give the penalties
    source_version: ArticleVersion
    via: tuple[str, ...]  # "code-penal art. 434-41 v2 al. 1", ... (empty when direct)


@dataclass(frozen=True)
class Unresolved:
    statement: Statement
    version: ArticleVersion
    interval: Interval
    reason: str


def article_sort_key(number: str) -> tuple[object, ...]:
    """Order of articles within a code: L221-2 < L221-2-1 < L221-3; 224-1 A after 224-1."""
    prefix_match = re.match(r"^([A-Z]*)", number)
    prefix = prefix_match.group(1) if prefix_match else ""
    parts: list[object] = [prefix]
    for piece in re.split(r"[-\s]", number[len(prefix) :]):
        if piece.isdigit():
            parts.append((0, int(piece), ""))
        elif piece:
            parts.append((1, 0, piece))
    return tuple(parts)


def _overlap(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [end for end in (a[1], b[1]) if end is not None]
    end = min(ends) if ends else None
    if end is not None and end <= start:
        return None
    return (start, end)


def _gaps(interval: Interval, covered: Sequence[Interval]) -> list[Interval]:
    """Parts of ``interval`` not covered by ``covered`` (sorted, non-overlapping)."""
    gaps: list[Interval] = []
    cursor: date | None = interval[0]
    for start, end in sorted(covered, key=lambda c: c[0]):
        if cursor is None:
            break
        if start > cursor:
            gaps.append((cursor, start))
        cursor = end if end is None or end > cursor else cursor
    if cursor is not None and (interval[1] is None or cursor < interval[1]):
        gaps.append((cursor, interval[1]))
    return [g for g in gaps if g[1] is None or g[0] < g[1]]


def _division_alineas(version: ArticleVersion, divisions: tuple[str, ...]) -> list[int]:
    return [a.number for a in version.alineas if divisions and a.division in divisions]


def penalty_signature(penalties: Sequence[Penalty]) -> tuple[object, ...]:
    return tuple(
        (p.kind, p.months, p.life, p.amount, p.currency, p.contravention_class) for p in penalties
    )


class Resolver:
    """Resolves every statement of a set of article versions."""

    def __init__(
        self,
        versions: Mapping[tuple[str, str], Sequence[ArticleVersion]],
        complete_codes: frozenset[str] = frozenset(),
    ) -> None:
        self.versions = versions
        # Codes held in full: only there can "l'article précédent" be found with certainty.
        self.complete_codes = complete_codes
        self._order: dict[str, list[str]] = {}
        for code, article in versions:
            self._order.setdefault(code, []).append(article)
        for articles in self._order.values():
            articles.sort(key=article_sort_key)

    # --- entry point -------------------------------------------------------------------

    def resolve_version(self, version: ArticleVersion) -> tuple[list[Resolved], list[Unresolved]]:
        resolved: list[Resolved] = []
        unresolved: list[Unresolved] = []
        interval = (version.valid_from, version.valid_to)
        for statement in version.reading.statements:
            for item in self._resolve(version, statement, interval, frozenset()):
                if isinstance(item, Resolved):
                    resolved.append(item)
                else:
                    unresolved.append(item)
        return resolved, unresolved

    # --- recursion ---------------------------------------------------------------------

    def _resolve(
        self,
        version: ArticleVersion,
        statement: Statement,
        interval: Interval,
        seen: frozenset[tuple[str, str, int, int]],
    ) -> Iterator[Resolved | Unresolved]:
        marker = (
            version.code,
            version.article,
            version.version,
            statement.offset + 100_000 * statement.alinea,
        )
        if marker in seen:
            yield Unresolved(statement, version, interval, "reference cycle: refused")
            return
        seen = seen | {marker}
        if statement.form == SAME_PENALTIES:
            yield from self._same_penalties(version, statement, interval, seen)
        elif statement.form == REFERENCE:
            yield from self._reference(version, statement, interval, seen)
        else:
            yield Resolved(
                statement=statement,
                version=version,
                interval=interval,
                penalties=statement.penalties,
                source=statement,
                source_version=version,
                via=(),
            )

    def _chain(
        self,
        version: ArticleVersion,
        statement: Statement,
        interval: Interval,
        candidates: list[tuple[ArticleVersion, Statement]],
        seen: frozenset[tuple[str, str, int, int]],
        what: str,
    ) -> Iterator[Resolved | Unresolved]:
        """Resolve the candidate statements a reference designates; they must agree."""
        if not candidates:
            yield Unresolved(statement, version, interval, f"{what}: no penalty stated there")
            return
        # Resolve every candidate over the interval, then split the interval where any of them
        # changes, and require one penalty set per piece.
        pieces: list[tuple[Interval, tuple[object, ...], Resolved]] = []
        for target_version, candidate in candidates:
            for item in self._resolve(target_version, candidate, interval, seen):
                if isinstance(item, Unresolved):
                    yield Unresolved(
                        statement,
                        version,
                        item.interval,
                        f"{what}: {item.reason}",
                    )
                    return
                pieces.append((item.interval, penalty_signature(item.penalties), item))
        bounds = sorted(
            {interval[0], *[p[0][0] for p in pieces], *[p[0][1] for p in pieces if p[0][1]]}
        )
        ends: list[date | None] = [*bounds[1:], interval[1]]
        for start, end in zip(bounds, ends, strict=True):
            if interval[1] is not None and start >= interval[1]:
                break
            here = [p for p in pieces if _overlap(p[0], (start, end)) is not None]
            signatures = {p[1] for p in here}
            if not here:
                continue
            if len(signatures) > 1:
                yield Unresolved(
                    statement,
                    version,
                    (start, end),
                    f"{what}: several statements with different penalties "
                    "(which one is meant is not certain)",
                )
                continue
            first = here[0][2]
            yield Resolved(
                statement=statement,
                version=version,
                interval=(start, end),
                penalties=first.penalties,
                source=first.source,
                source_version=first.source_version,
                via=(f"{first.version.label()} al. {first.statement.alinea}", *first.via),
            )

    def _same_penalties(
        self,
        version: ArticleVersion,
        statement: Statement,
        interval: Interval,
        seen: frozenset[tuple[str, str, int, int]],
    ) -> Iterator[Resolved | Unresolved]:
        before = [
            s
            for s in version.reading.statements
            if (s.alinea, s.offset) < (statement.alinea, statement.offset) and s is not statement
        ]
        if not before:
            yield Unresolved(
                statement,
                version,
                interval,
                "'des mêmes peines' with no penalty stated before it in the article: it "
                "refers to a text outside the article",
            )
            return
        antecedent = before[-1]
        if antecedent.form == AGGRAVATION:
            yield Unresolved(
                statement,
                version,
                interval,
                "'des mêmes peines' right after an aggravation: whether the base or the "
                "aggravated penalties are meant is not certain",
            )
            return
        same_alinea = [s for s in before if s.alinea == antecedent.alinea]
        yield from self._chain(
            version,
            statement,
            interval,
            [(version, s) for s in same_alinea],
            seen,
            f"'des mêmes peines' (alinéa {antecedent.alinea})",
        )

    def _reference(
        self,
        version: ArticleVersion,
        statement: Statement,
        interval: Interval,
        seen: frozenset[tuple[str, str, int, int]],
    ) -> Iterator[Resolved | Unresolved]:
        target = statement.target
        assert target is not None
        if target.article is None and not target.previous_article:
            # An alinéa (or a division) of this same version.
            numbers = list(target.alineas) + _division_alineas(version, target.divisions)
            if target.previous_alinea:
                numbers.append(statement.alinea - 1)
            if target.last_alinea:
                numbers.append(len(version.alineas))
            yield from self._in_alineas(
                version, statement, interval, version, numbers, seen, "this article"
            )
            return
        code = target.code or version.code
        if target.previous_article:
            article = self._previous_article(code, version.article)
            if article is None:
                yield Unresolved(statement, version, interval, "no previous article held")
                return
        else:
            assert target.article is not None
            article = target.article
        target_versions = self.versions.get((code, article))
        if not target_versions:
            yield Unresolved(
                statement,
                version,
                interval,
                f"{code} art. {article} is not in the dataset",
            )
            return
        covered = []
        for target_version in target_versions:
            overlap = _overlap(interval, (target_version.valid_from, target_version.valid_to))
            if overlap is None:
                continue
            covered.append(overlap)
            numbers = list(target.alineas) + _division_alineas(target_version, target.divisions)
            if target.last_alinea:
                numbers.append(len(target_version.alineas))
            what = f"{target_version.label()}"
            if numbers:
                yield from self._in_alineas(
                    version, statement, overlap, target_version, numbers, seen, what
                )
            else:
                base = [
                    s
                    for s in target_version.reading.statements
                    if s.form != AGGRAVATION and not s.legal_persons
                ]
                yield from self._chain(
                    version,
                    statement,
                    overlap,
                    [(target_version, s) for s in base],
                    seen,
                    what,
                )
        for gap in _gaps(interval, covered):
            yield Unresolved(
                statement,
                version,
                gap,
                f"{code} art. {article} was not in force (in the corpus) on these dates",
            )

    def _in_alineas(
        self,
        version: ArticleVersion,
        statement: Statement,
        interval: Interval,
        target_version: ArticleVersion,
        numbers: list[int],
        seen: frozenset[tuple[str, str, int, int]],
        what: str,
    ) -> Iterator[Resolved | Unresolved]:
        label = f"{what} alinéa(s) {', '.join(str(n) for n in numbers)}"
        candidates = [
            (target_version, s)
            for s in target_version.reading.statements
            if s.alinea in numbers and s is not statement and not s.legal_persons
        ]
        yield from self._chain(version, statement, interval, candidates, seen, label)

    def _previous_article(self, code: str, article: str) -> str | None:
        if code not in self.complete_codes:
            return None
        ordered = self._order.get(code, [])
        key = article_sort_key(article)
        earlier = [a for a in ordered if article_sort_key(a) < key]
        return earlier[-1] if earlier else None
