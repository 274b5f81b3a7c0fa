"""In-memory search over every offence version: accent- and case-insensitive, word-prefix, ranked.

The NATINF table is small (~17,000 codes, a few versions each) and changes only when a release
is published, so each worker process keeps an index of it, rebuilt when the release state
changes (see :mod:`refdata.releases.read_cache`). The database stays the truth; the index answers in
well under a millisecond where a ``LIKE '%...%'`` scan would take tens, on SQLite and
PostgreSQL alike.

Matching: the query is folded like the qualifications (no accents, lower case, HTML entities
of some extracts decoded, punctuation as spaces); French stop words are dropped unless the query
has nothing else; every remaining query word must begin a word of the qualification. When no
version has all the words, versions with the most of them are returned (``match="partial"``).

Ranking, best first: more query words matched, more of them matched whole (not as a prefix),
earlier first match in the qualification, shorter qualification, smaller NATINF code.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# French function words: dropped from queries (unless nothing else is left), since nearly
# every qualification contains them and they would only slow matching down.
STOP_WORDS = frozenset(
    {
        "a",
        "au",
        "aux",
        "avec",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "ne",
        "ni",
        "ou",
        "par",
        "pas",
        "pour",
        "qui",
        "que",
        "sa",
        "sans",
        "se",
        "ses",
        "son",
        "sur",
        "un",
        "une",
    }
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(value: str) -> str:
    """Lower case, no accents, ligatures expanded, HTML entities decoded, punctuation as spaces."""
    value = html.unescape(html.unescape(value))
    value = value.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def words_of(value: str) -> list[str]:
    return fold(value).split()


def query_words(q: str) -> list[str]:
    words = words_of(q)
    meaningful = [w for w in words if w not in STOP_WORDS]
    chosen = meaningful or words
    # Keep the order, drop repeats.
    return list(dict.fromkeys(chosen))


@dataclass(frozen=True)
class IndexedVersion:
    version_id: int
    natinf: int
    nature_code: str | None
    valid_from: date
    valid_to: date | None

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)


@dataclass(frozen=True)
class Hit:
    entry: IndexedVersion
    # Ascending sort key: (-matched, -exact, first position, length, natinf).
    key: tuple[int, int, int, int, int]
    matched: int


class OffenceIndex:
    def __init__(self, rows: Iterable[tuple[IndexedVersion, str]]) -> None:
        self.entries: list[IndexedVersion] = []
        self._words: list[list[str]] = []
        postings: dict[str, set[int]] = {}
        for entry, qualification in rows:
            index = len(self.entries)
            self.entries.append(entry)
            words = words_of(qualification)
            self._words.append(words)
            for word in set(words):
                postings.setdefault(word, set()).add(index)
        self._vocabulary = sorted(postings)
        self._postings = postings

    def __len__(self) -> int:
        return len(self.entries)

    def _matching(self, prefix: str) -> tuple[set[int], set[int]]:
        """(entries with a word starting with prefix, entries with the whole word)."""
        start = bisect_left(self._vocabulary, prefix)
        found: set[int] = set()
        for position in range(start, len(self._vocabulary)):
            word = self._vocabulary[position]
            if not word.startswith(prefix):
                break
            found |= self._postings[word]
        return found, self._postings.get(prefix, set())

    def search(
        self,
        q: str | None,
        *,
        as_of: date,
        nature: str | None = None,
        code_prefix: str | None = None,
    ) -> tuple[list[Hit], str]:
        """Every hit in rank order, and how it matched: ``all``, ``partial`` or ``none``."""

        def accept(entry: IndexedVersion) -> bool:
            if not entry.in_force(as_of):
                return False
            if code_prefix and not str(entry.natinf).startswith(code_prefix):
                return False
            if nature is None:
                return True
            if nature == "none":
                return entry.nature_code is None
            if nature == "contravention":
                return (entry.nature_code or "").startswith("contravention-")
            return entry.nature_code == nature

        tokens = query_words(q) if q else []
        if not tokens:
            hits = [
                Hit(entry, (0, 0, 0, 0, entry.natinf), 0) for entry in self.entries if accept(entry)
            ]
            hits.sort(key=lambda h: h.key)
            return hits, "all" if q is None or not q.strip() else "none"

        per_token = [self._matching(token) for token in tokens]
        everywhere = set.intersection(*(found for found, _ in per_token))
        candidates = {i for i in everywhere if accept(self.entries[i])}
        mode = "all"
        if not candidates and len(tokens) > 1:
            candidates = {i for found, _ in per_token for i in found if accept(self.entries[i])}
            mode = "partial"
        if not candidates:
            return [], "none"
        hits = []
        for i in candidates:
            matched = sum(1 for found, _ in per_token if i in found)
            exact = sum(1 for _, whole in per_token if i in whole)
            words = self._words[i]
            first = next(
                (p for p, word in enumerate(words) if any(word.startswith(t) for t in tokens)),
                len(words),
            )
            entry = self.entries[i]
            hits.append(Hit(entry, (-matched, -exact, first, len(words), entry.natinf), matched))
        hits.sort(key=lambda h: h.key)
        return hits, mode
