"""Pure pieces: article references, natures, diffs, search ranking (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refdata.natinf.articles import parse_references
from refdata.natinf.natures import UnknownNatureError, parse_nature
from refdata.natinf.search import IndexedVersion, OffenceIndex, fold, query_words
from refdata.releases.versioning import apply_diff, diff_states


def _summary(column: str) -> list[tuple[str, list[str], list[str], list[str], str | None]]:
    return [
        (r["article"], r["alineas"], r["paragraphs"], r["items"], r["text"])
        for r in parse_references(column)
    ]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (
            "ART.L.163-2 AL.1, ART.L.163-6 AL.1, AL.2 C.M.F. ART.131-30 AL.1 C.PENAL.",
            [
                ("L163-2", ["1"], [], [], "code-monetaire-et-financier"),
                ("L163-6", ["1", "2"], [], [], "code-monetaire-et-financier"),
                ("131-30", ["1"], [], [], "code-penal"),
            ],
        ),
        (
            "Art. R. 417-9 al. 3, al. 5 du C. de la route.",
            [("R417-9", ["3", "5"], [], [], "code-de-la-route")],
        ),
        (
            "Art. R. 415-9 §III, §IV du C. de la route.",
            [("R415-9", [], ["III", "IV"], [], "code-de-la-route")],
        ),
        (
            "Art. R. 428-4 al. 1, art. L. 173-7 2° du C. de l'environnement. "
            "Art. 131-16 1°, 2° du C. Pénal.",
            [
                ("R428-4", ["1"], [], [], "code-de-l-environnement"),
                ("L173-7", [], [], ["2"], "code-de-l-environnement"),
                ("131-16", [], [], ["1", "2"], "code-penal"),
            ],
        ),
        (
            "ART.1 2°, ART.3-BIS ORD 58-1310 DU 23/12/1958.",
            [("1", [], [], ["2"], None), ("3 bis", [], [], [], None)],
        ),
        ("", []),
        ("VOIR LA NOTE", []),
    ],
)
def test_article_references(
    column: str, expected: list[tuple[str, list[str], list[str], list[str], str | None]]
) -> None:
    assert _summary(column) == expected


def test_unrecognised_texts_keep_their_designation() -> None:
    refs = parse_references("Art. 1 de l'arrêté minist. du 22-02-1990.")
    assert refs[0]["text"] is None
    assert refs[0]["text_title"] == "arrêté minist. du 22-02-1990"
    official = parse_references("ART.3 AL.1, ART.1 DECRET 86-1130 DU 17/10/1986.")
    assert official[0]["text_title"] == "DECRET 86-1130 DU 17/10/1986"


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_article_parser_never_fails(column: str) -> None:
    for ref in parse_references(column):
        assert ref["article"]


@pytest.mark.parametrize("label", ["Délit grave", "Contravention de 6ème classe", "Crimes"])
def test_unknown_natures(label: str) -> None:
    with pytest.raises(UnknownNatureError):
        parse_nature(label)


_state = st.dictionaries(
    st.integers(min_value=1, max_value=40),
    st.fixed_dictionaries(
        {"a": st.sampled_from([None, "x", "y"]), "b": st.integers(min_value=0, max_value=3)}
    ),
    max_size=20,
)


@given(_state, _state)
@settings(max_examples=500)
def test_applying_the_diff_of_two_states_gives_the_second(a: dict, b: dict) -> None:
    diff = diff_states(a, b)
    assert apply_diff(a, diff) == b
    assert diff.unchanged == sum(1 for k in a if k in b and a[k] == b[k])
    assert diff.is_empty == (a == b)


def test_a_diff_refuses_a_state_it_was_not_made_from() -> None:
    diff = diff_states({1: {"a": "x"}}, {1: {"a": "y"}})
    with pytest.raises(ValueError, match="is not 'x'"):
        apply_diff({1: {"a": "z"}}, diff)


def test_folding_removes_accents_case_entities_and_ligatures() -> None:
    assert fold("Refus de PRIORITÉ &quot;STOP&quot; — œuvre") == "refus de priorite stop oeuvre"
    assert query_words("de la Route du") == ["route"]
    assert query_words("de la") == ["de", "la"]


_words = st.sampled_from(
    ["vol", "voiture", "vehicule", "conduite", "permis", "peche", "chasse", "arme", "stop"]
)


@given(
    st.lists(st.lists(_words, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=30),
    st.lists(_words, min_size=1, max_size=3).map(" ".join),
    st.integers(min_value=0, max_value=3),
)
@settings(max_examples=200)
def test_search_returns_every_code_with_all_words_ranked(
    qualifications: list[str], q: str, cut: int
) -> None:
    day = date(2026, 1, 1)
    entries = [
        (IndexedVersion(i, 1000 + i, "delit", day, None), text)
        for i, text in enumerate(qualifications)
    ]
    index = OffenceIndex(entries)
    hits, mode = index.search(q[: max(1, len(q) - cut)], as_of=day)
    tokens = query_words(q[: max(1, len(q) - cut)])
    having_all = {
        1000 + i
        for i, text in enumerate(qualifications)
        if all(any(w.startswith(t) for w in fold(text).split()) for t in tokens)
    }
    if having_all:
        assert mode == "all"
        assert {h.entry.natinf for h in hits} == having_all
    else:
        assert mode in ("partial", "none")
    keys = [h.key for h in hits]
    assert keys == sorted(keys)
    # Nothing out of force is ever returned.
    assert index.search(q, as_of=date(2025, 12, 31)) == ([], "none")
