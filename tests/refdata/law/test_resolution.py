"""References followed through the referenced article in force on the same dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from refdata.law.resolution import ArticleVersion, Resolved, Resolver, Unresolved, article_sort_key
from refdata.law.text import alineas

PROVENANCE = {"repository": "r", "path": "p", "commit": "c", "amended_by": "m"}


def version(
    code: str, article: str, number: int, start: date, end: date | None, *paragraphs: str
) -> ArticleVersion:
    return ArticleVersion(
        code, article, number, start, end, alineas(list(paragraphs)), dict(PROVENANCE)
    )


def resolver(*versions: ArticleVersion) -> Resolver:
    grouped: dict[tuple[str, str], list[ArticleVersion]] = {}
    for v in versions:
        grouped.setdefault(v.key, []).append(v)
    return Resolver(grouped, complete_codes=frozenset({"code-penal"}))


def fines(items: list[Resolved | Unresolved]) -> list[tuple[object, ...]]:
    return [
        (i.interval, [p.amount for p in i.penalties if p.amount is not None])
        if isinstance(i, Resolved)
        else (i.interval, i.reason)
        for i in items
    ]


def test_a_reference_follows_the_target_article_through_its_versions() -> None:
    target_v1 = version(
        "code-penal",
        "226-21",
        1,
        date(1994, 3, 1),
        date(2002, 1, 1),
        "Le fait ... est puni de cinq ans d'emprisonnement et de 2 000 000 F d'amende.",
    )
    target_v2 = version(
        "code-penal",
        "226-21",
        2,
        date(2002, 1, 1),
        None,
        "Le fait ... est puni de cinq ans d'emprisonnement et de 300 000 euros d'amende.",
    )
    referring = version(
        "code-de-la-route",
        "L223-7",
        1,
        date(2001, 6, 1),
        None,
        "Toute infraction ... est punie des peines prévues à l'article 226-21 du code pénal.",
    )
    resolved, unresolved = resolver(target_v1, target_v2, referring).resolve_version(referring)
    assert unresolved == []
    assert fines(list(resolved)) == [
        ((date(2001, 6, 1), date(2002, 1, 1)), [Decimal(2_000_000)]),
        ((date(2002, 1, 1), None), [Decimal(300_000)]),
    ]
    assert resolved[0].penalties[1].currency == "FRF"
    assert resolved[1].via == ("code-penal art. 226-21 v2 al. 1",)


def test_dates_when_the_target_was_not_in_force_are_left_unresolved() -> None:
    target = version(
        "code-penal",
        "434-41",
        1,
        date(2004, 1, 1),
        None,
        "Est puni de deux ans d'emprisonnement et de 30 000 euros d'amende ...",
    )
    referring = version(
        "code-de-la-route",
        "L235-4",
        1,
        date(2003, 1, 1),
        None,
        "Le fait de détruire ... est puni des peines prévues à l'article 434-41 du code pénal.",
    )
    resolved, unresolved = resolver(target, referring).resolve_version(referring)
    assert [r.interval for r in resolved] == [(date(2004, 1, 1), None)]
    assert [(u.interval, "not in force" in u.reason) for u in unresolved] == [
        ((date(2003, 1, 1), date(2004, 1, 1)), True)
    ]


def test_cycles_are_refused() -> None:
    a = version(
        "code-penal",
        "1-1",
        1,
        date(2000, 1, 1),
        None,
        "Est puni des peines prévues à l'article 1-2 le fait de ...",
    )
    b = version(
        "code-penal",
        "1-2",
        1,
        date(2000, 1, 1),
        None,
        "Est puni des peines prévues à l'article 1-1 le fait de ...",
    )
    resolved, unresolved = resolver(a, b).resolve_version(a)
    assert resolved == []
    assert "cycle" in unresolved[0].reason


def test_same_penalties_take_the_statement_before() -> None:
    article = version(
        "code-penal",
        "222-37",
        1,
        date(2002, 1, 1),
        None,
        "Le transport ... sont punis de dix ans d'emprisonnement et de 7 500 000 euros d'amende.",
        "Est puni des mêmes peines le fait de faciliter ...",
    )
    resolved, unresolved = resolver(article).resolve_version(article)
    assert not unresolved
    assert [(r.statement.alinea, r.source.alinea, r.penalties[0].months) for r in resolved] == [
        (1, 1, 120),
        (2, 1, 120),
    ]


def test_same_penalties_without_an_antecedent_are_not_guessed() -> None:
    article = version(
        "code-penal",
        "226-2",
        1,
        date(1994, 3, 1),
        None,
        "Est puni des mêmes peines le fait de conserver ...",
    )
    resolved, unresolved = resolver(article).resolve_version(article)
    assert resolved == []
    assert "outside the article" in unresolved[0].reason


def test_a_target_with_several_different_penalties_is_ambiguous() -> None:
    target = version(
        "code-penal",
        "226-22",
        1,
        date(1994, 3, 1),
        None,
        "Le fait ... est puni de cinq ans d'emprisonnement et de 300 000 euros d'amende.",
        "La divulgation ... est punie de trois ans d'emprisonnement et de 100 000 "
        "euros d'amende lorsqu'elle a été commise par imprudence.",
    )
    referring = version(
        "code-de-la-route",
        "L223-7",
        1,
        date(2001, 6, 1),
        None,
        "La divulgation ... est punie des peines prévues à l'article 226-22 du code pénal.",
    )
    resolved, unresolved = resolver(target, referring).resolve_version(referring)
    assert resolved == []
    assert "several statements" in unresolved[0].reason


def test_an_article_not_held_is_named() -> None:
    referring = version(
        "code-de-la-route",
        "L225-8",
        1,
        date(2001, 6, 1),
        None,
        "Le fait ... est puni de la peine prévue par l'article 781 du code de procédure pénale.",
    )
    resolved, unresolved = resolver(referring).resolve_version(referring)
    assert resolved == []
    assert "not in the dataset" in unresolved[0].reason


@given(st.lists(st.integers(1, 300), min_size=2, max_size=4, unique=True))
def test_article_order_follows_the_numbering(parts: list[int]) -> None:
    numbers = [f"{parts[0]}-{p}" for p in sorted(parts)]
    assert sorted(numbers, key=article_sort_key) == numbers
    assert article_sort_key(f"{parts[0]}-1") < article_sort_key(f"{parts[0]}-1-1")
