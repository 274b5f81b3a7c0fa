"""The penalty sentences of real articles (Code pénal, Code de la route, as published in the
etalab/codes-juridiques-francais corpus), read alinéa by alinéa."""

from __future__ import annotations

from decimal import Decimal

import pytest

from refdata.law.penalty_sentences import (
    AGGRAVATION,
    AMENDE,
    AMENDE_CONTRAVENTION,
    DETENTION,
    DIRECT,
    EMPRISONNEMENT,
    RECLUSION,
    REFERENCE,
    SAME_PENALTIES,
    ArticleReading,
    read_article,
)
from refdata.law.text import alineas, split_markdown


def read(*paragraphs: str) -> ArticleReading:
    return read_article(alineas(list(paragraphs)))


def summary(reading: ArticleReading) -> list[tuple[int, str, list[tuple[object, ...]]]]:
    return [
        (
            s.alinea,
            s.form,
            [(p.kind, p.months, p.life, p.amount, p.currency) for p in s.penalties],
        )
        for s in reading.statements
    ]


def eur(value: int) -> Decimal:
    return Decimal(value)


def test_vol_simple_in_euros_and_in_francs() -> None:
    euros = read("Le vol est puni de trois ans d'emprisonnement et de 45 000 euros d'amende.")
    francs = read("Le vol est puni de trois ans d'emprisonnement et de 300 000 F d'amende.")
    assert summary(euros) == [
        (
            1,
            DIRECT,
            [(EMPRISONNEMENT, 36, False, None, None), (AMENDE, None, False, eur(45000), "EUR")],
        )
    ]
    assert summary(francs)[0][2][1] == (AMENDE, None, False, eur(300000), "FRF")
    assert not euros.unread
    assert not francs.unread


def test_crimes_with_years_or_perpetuity() -> None:
    assert summary(read("Il est puni de trente ans de réclusion criminelle.")) == [
        (1, DIRECT, [(RECLUSION, 360, False, None, None)])
    ]
    assert summary(read("Il est puni de la réclusion criminelle à perpétuité.")) == [
        (1, DIRECT, [(RECLUSION, None, True, None, None)])
    ]
    attentat = read(
        "L'attentat est puni de trente ans de détention criminelle et de 450 000 euros d'amende."
    )
    assert summary(attentat)[0][2] == [
        (DETENTION, 360, False, None, None),
        (AMENDE, None, False, eur(450000), "EUR"),
    ]
    assert summary(
        read(
            "La réduction en esclavage d'une personne est punie de vingt années de "
            "réclusion criminelle."
        )
    )[0][2] == [(RECLUSION, 240, False, None, None)]


def test_older_word_order_and_no_break_spaces() -> None:
    # Code du travail, art. L8224-1, and Code pénal, art. 432-11 (with its odd spacing).
    reading = read(
        "Le fait de méconnaître les interdictions définies à l'article L. 8221-1 est puni d'un "
        "emprisonnement de trois ans et d'une amende de 45 000 euros."
    )
    assert summary(reading)[0][2] == [
        (EMPRISONNEMENT, 36, False, None, None),
        (AMENDE, None, False, eur(45000), "EUR"),
    ]
    corruption = read(
        "Est puni de dix ans d'emprisonnement et      d'une amende de 1\u00a0000\u00a0000 €, "
        "dont le montant peut être porté au double du produit tiré de l'infraction, le fait, "
        "par une personne dépositaire de l'autorité publique, de solliciter ..."
    )
    statement = corruption.statements[0]
    assert [(p.kind, p.amount) for p in statement.penalties] == [
        (EMPRISONNEMENT, None),
        (AMENDE, eur(1_000_000)),
    ]
    assert statement.fine_may_exceed  # a proportional ceiling: not a hard maximum


def test_outrage_puni_as_an_adjective_after_constituent() -> None:
    reading = read(
        "Constituent un outrage puni de 7 500 euros d'amende les paroles, gestes ou menaces ... "
        "adressés à une personne chargée d'une mission de service public."
    )
    assert summary(reading) == [(1, DIRECT, [(AMENDE, None, False, eur(7500), "EUR")])]


def test_aggravations_portees_a() -> None:
    # Code pénal, art. 311-4 (first and last alinéas).
    reading = read(
        "Le vol est puni de cinq ans d'emprisonnement et de 75 000 euros d'amende :",
        "1° Lorsqu'il est commis par plusieurs personnes agissant en qualité d'auteur ou de "
        "complice, sans qu'elles constituent une bande organisée ;",
        "Les peines sont portées à sept ans d'emprisonnement et à 100 000 euros d'amende lorsque "
        "le vol est commis dans deux des circonstances prévues par le présent article. Elles sont "
        "portées à dix ans d'emprisonnement et à 150 000 euros d'amende lorsque le vol est "
        "commis dans trois de ces circonstances.",
    )
    assert [
        (s.alinea, s.form, s.penalties[0].months, s.penalties[1].amount) for s in reading.statements
    ] == [
        (1, DIRECT, 60, eur(75000)),
        (3, AGGRAVATION, 84, eur(100000)),
        (3, AGGRAVATION, 120, eur(150000)),
    ]
    assert not reading.unread


def test_the_subject_names_the_aggravated_penalty() -> None:
    # Code pénal, art. 222-39, alinéa 2: the term alone, the kind in the subject.
    reading = read(
        "La peine d'emprisonnement est portée à dix ans lorsque les stupéfiants sont offerts "
        "ou cédés ... à des mineurs."
    )
    assert summary(reading) == [(1, AGGRAVATION, [(EMPRISONNEMENT, 120, False, None, None)])]


def test_enumerated_penalties() -> None:
    # Code pénal, art. 222-14.
    reading = read(
        "Les violences habituelles sur un mineur de quinze ans ... sont punies :",
        "1° De trente ans de réclusion criminelle lorsqu'elles ont entraîné la mort de la "
        "victime ;",
        "2° De vingt ans de réclusion criminelle lorsqu'elles ont entraîné une mutilation ou une "
        "infirmité permanente ;",
        "3° De dix ans d'emprisonnement et de 150 000 euros d'amende lorsqu'elles ont entraîné "
        "une incapacité totale de travail pendant plus de huit jours ;",
    )
    assert [(s.alinea, s.penalties[0].kind, s.penalties[0].months) for s in reading.statements] == [
        (2, RECLUSION, 360),
        (3, RECLUSION, 240),
        (4, EMPRISONNEMENT, 120),
    ]


def test_same_penalties_and_references() -> None:
    reading = read(
        "Le transport, la détention ... de stupéfiants sont punis de dix ans d'emprisonnement "
        "et de 7 500 000 euros d'amende.",
        "Est puni des mêmes peines le fait de faciliter, par quelque moyen que ce soit, l'usage "
        "illicite de stupéfiants.",
        "Est puni des peines prévues au deuxième alinéa le fait de s'entremettre ...",
        "La divulgation des mêmes informations à des tiers non autorisés est punie des peines "
        "prévues à l'article 226-22 du code pénal.",
        "Est puni des peines prévues aux III et IV le fait de conduire malgré l'injonction.",
    )
    forms = [(s.alinea, s.form) for s in reading.statements]
    assert forms == [
        (1, DIRECT),
        (2, SAME_PENALTIES),
        (3, REFERENCE),
        (4, REFERENCE),
        (5, REFERENCE),
    ]
    targets = [s.target for s in reading.statements if s.target]
    assert (targets[0].article, targets[0].alineas) == (None, (2,))
    assert (targets[1].code, targets[1].article) == ("code-penal", "226-22")
    assert targets[2].divisions == ("III", "IV")


def test_contravention_class_fines() -> None:
    reading = read(
        "Le fait de vendre ... un de ces véhicules en violation de ces dispositions est puni "
        "d' une contravention de la cinquième classe.",
        "Le fait de conduire ... est puni de l'amende prévue pour les contraventions de la "
        "quatrième classe.",
    )
    assert [(p.kind, p.contravention_class) for s in reading.statements for p in s.penalties] == [
        (AMENDE_CONTRAVENTION, 5),
        (AMENDE_CONTRAVENTION, 4),
    ]


def test_alternative_penalties_are_flagged() -> None:
    reading = read(
        "Le fait de ... est puni de six mois d'emprisonnement et de 7 500 euros d'amende ou de "
        "l'une de ces deux peines seulement."
    )
    assert reading.statements[0].alternative


def test_one_penalty_per_case_in_one_sentence() -> None:
    # Code pénal, art. 322-2 and 322-5.
    reading = read(
        "L'infraction définie au premier alinéa de l'article 322-1 est punie de trois ans "
        "d'emprisonnement et de 45 000 euros d'amende et celle définie au deuxième alinéa du "
        "même article de 7 500 euros d'amende et d'une peine de travail d'intérêt général, "
        "lorsque le bien détruit, dégradé ou détérioré est :",
        "Si l'incendie a provoqué pour autrui une incapacité totale de travail pendant au moins "
        "huit jours, les peines sont portées à cinq ans d'emprisonnement et à 75 000 euros "
        "d'amende dans le cas prévu par le premier alinéa, et à sept ans d'emprisonnement et à "
        "100 000 euros d'amende dans le cas prévu par le deuxième alinéa.",
    )
    assert [
        (s.alinea, [(p.kind, p.months, p.amount) for p in s.penalties]) for s in reading.statements
    ] == [
        (1, [(EMPRISONNEMENT, 36, None), (AMENDE, None, eur(45000))]),
        (1, [(AMENDE, None, eur(7500))]),
        (2, [(EMPRISONNEMENT, 60, None), (AMENDE, None, eur(75000))]),
        (2, [(EMPRISONNEMENT, 84, None), (AMENDE, None, eur(100000))]),
    ]


def test_a_later_statement_in_the_sentence_is_not_taken_as_a_second_case() -> None:
    # Code pénal, art. 433-5, alinéa 4: two statements, two triggers.
    reading = read(
        "Lorsqu'il est commis en réunion, l'outrage prévu au premier alinéa est puni de six "
        "mois d'emprisonnement et de 7500 euros d'amende, et l'outrage prévu au deuxième alinéa "
        "est puni d'un an d'emprisonnement et de 15 000 euros d'amende."
    )
    assert [[(p.months, p.amount) for p in s.penalties] for s in reading.statements] == [
        [(6, None), (None, eur(7500))],
        [(12, None), (None, eur(15000))],
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        # Code pénal, art. 421-3, 2°: a scale on the base penalty.
        "2° Il est porté à trente ans de réclusion criminelle lorsque l'infraction est punie de "
        "vingt ans de réclusion criminelle ;",
        # Code pénal, art. 227-12: relative.
        "Lorsque ces faits ont été commis à titre habituel ou dans un but lucratif, les peines "
        "sont portées au double.",
        # Two lists offered as an alternative without distinction.
        "Le fait de ... est puni de cinq ans d'emprisonnement et 75 000 euros d'amende ou de "
        "sept ans d'emprisonnement et 100 000 euros d'amende.",
        # A reference to a range of articles.
        "Ces faits sont punis des peines prévues aux articles 222-23 à 222-30 selon la nature "
        "de l'atteinte subie.",
        # A sentence with more penalties than the reader can attribute.
        "Le fait de harceler son conjoint ... est puni de trois ans d'emprisonnement et de "
        "45 000 € d'amende lorsque ces faits ont causé une incapacité totale de travail "
        "inférieure ou égale à huit jours, cinq ans d'emprisonnement et 75 000 € d'amende "
        "sinon.",
    ],
)
def test_what_is_not_read_with_confidence_is_left_unread(paragraph: str) -> None:
    reading = read(paragraph)
    assert reading.statements == []
    assert reading.unread
    assert reading.unread[0].reason


@pytest.mark.parametrize(
    "paragraph",
    [
        # Code pénal, art. 421-3, last alinéa: a class of offences, not a penalty.
        "Les deux premiers alinéas de l'article 132-23 relatif à la période de sûreté sont "
        "applicables aux crimes, ainsi qu'aux délits punis de dix ans d'emprisonnement.",
        # Code pénal, art. 450-1, alinéa 1.
        "Constitue une association de malfaiteurs tout groupement formé ... d'un ou plusieurs "
        "délits punis d'au moins cinq ans d'emprisonnement.",
        # Attempt clause.
        "La tentative des délits prévus au présent article est punie des mêmes peines.",
        # Reduction for "repentis".
        "La peine privative de liberté encourue par l'auteur ou le complice d'un acte de "
        "terrorisme est réduite de moitié si, ayant averti les autorités ...",
    ],
)
def test_penalty_words_that_state_no_penalty_of_the_article(paragraph: str) -> None:
    reading = read(paragraph)
    assert reading.statements == []
    assert reading.unread == []


def test_conditions_on_other_offences_do_not_become_the_penalty() -> None:
    # Code pénal, art. 450-1, alinéa 2: the condition's "punis de dix ans" is not a statement.
    reading = read(
        "Lorsque les infractions préparées sont des crimes ou des délits punis de dix ans "
        "d'emprisonnement, la participation à une association de malfaiteurs est punie de dix "
        "ans d'emprisonnement et de 150 000 euros d'amende."
    )
    assert summary(reading) == [
        (
            1,
            DIRECT,
            [(EMPRISONNEMENT, 120, False, None, None), (AMENDE, None, False, eur(150000), "EUR")],
        )
    ]


def test_a_conjunction_inside_the_subject_does_not_hide_the_penalty() -> None:
    # Code pénal, art. 227-23, alinéa 1.
    reading = read(
        "Le fait, en vue de sa diffusion, de fixer, d'enregistrer ou de transmettre l'image ou "
        "la représentation d'un mineur lorsque cette image ou cette représentation présente un "
        "caractère pornographique est puni de cinq ans d'emprisonnement et de 75 000 euros "
        "d'amende."
    )
    assert summary(reading)[0][2][0] == (EMPRISONNEMENT, 60, False, None, None)


def test_legal_persons_fine_is_noted() -> None:
    reading = read(
        "Les personnes morales déclarées responsables pénalement ... encourent, outre l'amende "
        "suivant les modalités prévues par l'article 131-38, les peines prévues par l'article "
        "131-39."
    )
    assert reading.legal_persons_fine
    assert not reading.statements


def test_markdown_of_the_corpus_is_split_into_alineas() -> None:
    heading, paragraphs = split_markdown(
        "# Article L234-1\n\nI.-Même en l'absence ... est puni de deux ans d'emprisonnement et "
        "de 4 500 euros d'amende.\n\nII.-Le fait de conduire un véhicule en état d'ivresse "
        "manifeste est puni des mêmes peines.\n\nIII.-Dans les cas prévus ...\n"
    )
    numbered = alineas(paragraphs)
    assert heading == "Article L234-1"
    assert [(a.number, a.division, a.number_in_division) for a in numbered] == [
        (1, "I", 1),
        (2, "II", 1),
        (3, "III", 1),
    ]
