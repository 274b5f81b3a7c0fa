"""The principal penalties an article version states, alinéa by alinéa.

The codes state penalties in a handful of recurring sentences, which this module reads:

- direct: "est puni de trois ans d'emprisonnement et de 45 000 euros d'amende", "est puni d'un
  emprisonnement de trois ans et d'une amende de 45 000 €", "est puni de quinze ans de
  réclusion criminelle", "de la réclusion criminelle à perpétuité", "est puni de 3 750 euros
  d'amende", "est puni de l'amende prévue pour les contraventions de la 5e classe";
- aggravations: "Les peines sont portées à sept ans d'emprisonnement et à 100 000 euros
  d'amende lorsque ...", "La peine est portée à vingt ans de réclusion criminelle ...";
- references: "est puni des mêmes peines" (the statement before it in the same article),
  "est puni des peines prévues à l'article 222-13" / "au premier alinéa de l'article 313-1" /
  "par l'article 434-10 du code pénal" (resolved by :mod:`refdata.law.resolution` through the
  referenced article in force on the same dates).

Each penalty word found in an alinéa ("puni", "portée(s) à") is accounted for: it is a
statement read, a known form that states no principal penalty of this article (a condition on
another offence's penalty, "la tentative est punie des mêmes peines", a relative aggravation
"portée au double"...), or it is **unread**, with the reason. Nothing is guessed: a sentence
whose shape is not one of the above is left unread, never approximated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from refdata.law.numbers import Amount, Duration, match_amount, match_duration
from refdata.law.text import Alinea, normalise

# Kinds of principal penalty.
EMPRISONNEMENT = "emprisonnement"
RECLUSION = "reclusion_criminelle"
DETENTION = "detention_criminelle"
AMENDE = "amende"
AMENDE_CONTRAVENTION = "amende_contraventionnelle"
CUSTODIAL_KINDS = (EMPRISONNEMENT, RECLUSION, DETENTION)

# How a statement gives its penalties.
DIRECT = "direct"  # "est puni de ..."
AGGRAVATION = "aggravation"  # "les peines sont portées à ..."
SAME_PENALTIES = "same_penalties"  # "est puni des mêmes peines"
REFERENCE = "reference"  # "est puni des peines prévues à l'article X"

ORDINALS = {
    "premier": 1,
    "première": 1,
    "1er": 1,
    "deuxième": 2,
    "second": 2,
    "seconde": 2,
    "troisième": 3,
    "quatrième": 4,
    "cinquième": 5,
    "sixième": 6,
    "septième": 7,
    "huitième": 8,
    "neuvième": 9,
    "dixième": 10,
    "onzième": 11,
    "douzième": 12,
}
_CLASS_WORDS = {
    "première": 1,
    "1re": 1,
    "1ère": 1,
    "deuxième": 2,
    "2e": 2,
    "2ème": 2,
    "troisième": 3,
    "3e": 3,
    "3ème": 3,
    "quatrième": 4,
    "4e": 4,
    "4ème": 4,
    "cinquième": 5,
    "5e": 5,
    "5ème": 5,
}


@dataclass(frozen=True)
class Penalty:
    kind: str
    months: int | None = None  # custodial maximum, in months
    life: bool = False  # "à perpétuité"
    amount: Decimal | None = None  # fine maximum, in ``currency``
    currency: str | None = None  # EUR or FRF (older versions are in francs)
    contravention_class: int | None = None
    text: str = ""  # the words it was read from, verbatim


@dataclass(frozen=True)
class Target:
    """What a reference points at: an article (None: this article) and its alinéas."""

    article: str | None
    code: str | None  # None: the same code as the referring article
    alineas: tuple[int, ...] = ()
    last_alinea: bool = False
    previous_alinea: bool = False
    previous_article: bool = False
    divisions: tuple[str, ...] = ()  # "aux III et IV": the alinéas of those divisions
    text: str = ""


@dataclass(frozen=True)
class Statement:
    alinea: int
    form: str  # DIRECT, AGGRAVATION, SAME_PENALTIES, REFERENCE
    sentence: str  # the sentence it was read from, verbatim
    penalties: tuple[Penalty, ...] = ()
    target: Target | None = None
    alternative: bool = False  # "ou de l'une de ces deux peines seulement"
    fine_may_exceed: bool = False  # "dont le montant peut être porté au double du produit..."
    legal_persons: bool = False  # the sentence is about legal persons (personnes morales)
    offset: int = 0  # where the penalty words start in the alinéa


@dataclass(frozen=True)
class Unread:
    alinea: int
    reason: str
    sentence: str


@dataclass(frozen=True)
class Mention:
    """Penalty words that state no principal penalty of this article (and why)."""

    alinea: int
    why: str
    sentence: str


@dataclass
class ArticleReading:
    statements: list[Statement] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    legal_persons_fine: list[tuple[int, str]] = field(default_factory=list)
    # Sentences saying a fine may exceed its stated maximum ("peut être porté au double du
    # produit tiré de l'infraction"): the fines of the article are not hard ceilings.
    fine_may_exceed: list[tuple[int, str]] = field(default_factory=list)


_S = r"\s+"
_PUNI = re.compile(r"\bpuni(?:e|s|es)?\b", re.IGNORECASE)
_PORTE = re.compile(r"\bport[ée](?:e|s|es)?\s+(?=(?:à|au|aux)\b)", re.IGNORECASE)
_PREP_FIRST = re.compile(r"\s*(?:de\s+|d'\s*)", re.IGNORECASE)
# "est puni, lorsque cette infraction n'a été ni commise ni tentée, de trois ans ...": an
# incidental clause between commas, holding no penalty words, may separate "puni" from its list.
_INCIDENTAL = re.compile(r"\s*,(?P<clause>[^,;:.]{1,200}),(?=\s*(?:de\s|d'))", re.IGNORECASE)
# A second list offered as an alternative ("... ou de sept ans d'emprisonnement ...").
_OR_LIST = re.compile(r"\s*,?\s*ou\s+(?=de\s|d')", re.IGNORECASE)
_ITEM_MARK = re.compile(r"^\d+\s*°\s*(?:(?:bis|ter|quater)\b)?\s*", re.IGNORECASE)
_PREP_AFTER_PORTE = re.compile(r"\s*(?:à\s+(?!l'article)|au\s+(?=\d)|)", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:et\s+|ainsi\s+que\s+)?|et\s+|ainsi\s+que\s+)", re.IGNORECASE)
_NEXT_PREP = re.compile(r"(?:de\s+|d'|à\s+|)", re.IGNORECASE)
_LIFE = re.compile(
    r"(?:la\s+)?(?P<kind>réclusion|détention)\s+criminelle\s+à\s+perpétuité", re.IGNORECASE
)
_CUSTODIAL_AFTER_DURATION = re.compile(
    r"\s+(?:d'\s*emprisonnement|de\s+(?P<kind>réclusion|détention)\s+criminelle)\b", re.IGNORECASE
)
_CUSTODIAL_BEFORE_DURATION = re.compile(
    r"(?:un|l')\s*(?:emprisonnement|(?P<kind>réclusion|détention)\s+criminelle)\s+de\s+",
    re.IGNORECASE,
)
_FINE_AFTER_AMOUNT = re.compile(r"\s+d'\s*amende\b", re.IGNORECASE)
_FINE_BEFORE_AMOUNT = re.compile(
    r"(?:une|l')\s*amende\s+(?:de|d'un\s+montant\s+de)\s+", re.IGNORECASE
)
_CONTRAVENTION_FINE = re.compile(
    r"(?:(?:l'|une\s+)amende\s+prévue\s+pour\s+les\s+contraventions|une\s+contravention)\s+"
    r"de\s+(?:la\s+)?(?P<cls>\w+)\s+classe",
    re.IGNORECASE,
)
_ALTERNATIVE = re.compile(
    r"\s*,?\s*ou\s+(?:de\s+)?l'une\s+de\s+ces\s+deux\s+peines\s+seulement", re.IGNORECASE
)
_FINE_MAY_EXCEED = re.compile(
    r"(?:montant|amende)[^.;]{0,80}?peut\s+être\s+(?:porté|élevé)e?s?\s+(?:au|à|jusqu)",
    re.IGNORECASE,
)
_LEGAL_PERSONS = re.compile(r"personnes?\s+morales?", re.IGNORECASE)
_LEGAL_PERSONS_FINE = re.compile(
    r"l'amende\s*(?:,\s*)?suivant\s+les\s+modalités\s+prévues\s+(?:par|à)\s+l'article\s+131-38",
    re.IGNORECASE,
)
_SAME = re.compile(r"\s*(?:des\s+mêmes\s+peines|de\s+la\s+même\s+peine)\b", re.IGNORECASE)
_REFERENCE_HEAD = re.compile(
    r"\s*(?:des\s+peines|de\s+la\s+peine|des\s+mêmes\s+peines|de\s+la\s+même\s+peine)\s+"
    r"(?:(?:principales\s+)?(?:prévues?|mentionnées?|édictées?|fixées?|encourues?|"
    r"réprimant)\s+)?"
    r"(?:respectivement\s+)?",
    re.IGNORECASE,
)
_ARTICLE_NUMBER = r"(?:L\.?\s*|R\.?\s*|D\.?\s*|LO\.?\s*)?\d+(?:-\d+)*(?:\s+(?:bis|ter|quater))?"
_TARGET = re.compile(
    r"(?:(?P<where>à|au|aux|par|pour)\s+)?"
    r"(?:(?:l'|le\s+|les\s+|la\s+)?"
    r"(?P<alineas>(?:(?:premier|première|1er|deuxième|second|seconde|troisième|quatrième|"
    r"cinquième|sixième|septième|huitième|neuvième|dixième|onzième|douzième|dernier|"
    r"précédent)(?:\s*(?:,|et)\s*)?)+)\s+alinéas?"
    r"(?:\s+(?P<after_alinea>précédent|ci-dessus))?"
    r"(?:\s+(?:de\s+l'|du\s+)(?=article|présent)|\s*(?=[,.;]|\s+(?:le|la|les|l')\b|\s+lorsque|"
    r"\s+s'|\s+si\b|$)))?"
    r"(?:(?P<this_article>présent\s+article)|(?:l'|les\s+)?articles?\s+(?P<article>"
    + _ARTICLE_NUMBER
    + r")(?P<more>\s*(?:,|et|à)\s*"
    + _ARTICLE_NUMBER
    + r")*"
    r"|(?P<previous_article>l'article\s+précédent))?"
    r"(?:\s+(?P<code>du\s+(?:présent|même)\s+code|du\s+code\s+[^,.;]+?(?=\s*(?:[,.;]|$|\s+le\s+"
    r"fait|\s+lorsque|\s+quiconque|\s+toute?\b|\s+et\b|\s+les?\b|\s+la\b|\s+l'))))?",
    re.IGNORECASE,
)
_CODE_NAMES = {
    "code pénal": "code-penal",
    "code de la route": "code-de-la-route",
    "code de procédure pénale": "code-de-procedure-penale",
    "code du travail": "code-du-travail",
    "code de la santé publique": "code-de-la-sante-publique",
    "code monétaire et financier": "code-monetaire-et-financier",
    "code des assurances": "code-des-assurances",
    "code de l'environnement": "code-de-l-environnement",
    "code de la sécurité intérieure": "code-de-la-securite-interieure",
    "code des transports": "code-des-transports",
}
# Principal-penalty words: anything left of them after a statement must be explained.
_PENALTY_WORDS = re.compile(
    r"\b(?:emprisonnement|réclusion|détention\s+criminelle|d'amende)\b", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\bart)(?<!\bn°)\.(?=\s+[A-ZÀ-Ý«]|\s*$)")
# Conditions about another offence's penalty ("lorsque l'infraction est punie de dix ans",
# "le délit qui est puni de ..."): penalty words there state no penalty of this article.
_CONDITION_BEFORE = re.compile(
    r"(?:\b(?:lorsque|lorsqu'|quand|si|s'ils?|dès\s+lors\s+que)(?=\s|\b)[^,;:]*"
    r"|\b(?:qui|dont)\s+(?:est|sont|sera|seront|serait|seraient)\s+(?:également\s+)?)$",
    re.IGNORECASE,
)
# "si l'infraction est punie", "lorsque le délit commis est puni": the subject is an offence
# whose penalty conditions the statement, never the statement itself.
_OFFENCE_SUBJECT = re.compile(
    r"(?:lorsque|lorsqu'|quand|si|s'ils?|dès\s+lors\s+que)\s*"
    r"(?:l'|le\s+|la\s+|les\s+|cette\s+|ce\s+|ces\s+)?"
    r"(?:infractions?|crimes?|délits?|faits)\b[^,;:]{0,60}?"
    r"(?:est|sont|était|étaient)\s+(?:également\s+)?$",
    re.IGNORECASE,
)
# "les peines sont portées à 1 000 000 euros d'amende et à :" — the list goes on in items.
_LIST_CONTINUES = re.compile(r"\s*,?\s*et\s+(?:à|de)\s*:", re.IGNORECASE)
_SAME_INCURRED = re.compile(
    r"\b(?:les\s+)?mêmes\s+peines\s+sont\s+(?:également\s+)?(?:encourues|applicables)\b",
    re.IGNORECASE,
)
# "des délits punis d'au moins cinq ans d'emprisonnement": a class of offences.
_AT_LEAST = re.compile(
    r"\s*d'au\s+moins\s+\S+(?:[\s-]\S+)?\s+(?:ans?|mois)\s+(?:d'\s*emprisonnement|de\s+"
    r"(?:réclusion|détention)\s+criminelle)",
    re.IGNORECASE,
)
_CONSTITUTES = re.compile(r"\bconstitu(?:e|ent)\s+(?:un|une)\s+[^,;:]{1,80}$", re.IGNORECASE)
_ATTEMPT = re.compile(r"\btentative\b", re.IGNORECASE)
# A penalty quantity ("trois ans d'emprisonnement", "7 500 euros d'amende", "à perpétuité"):
# every one in a sentence that states penalties must be accounted for.
_QUANTITY = re.compile(
    r"(?:\b(?:ans?|années?|mois)\s+(?:d'\s*emprisonnement|de\s+(?:réclusion|détention)\s+"
    r"criminelle)|(?:€|\beuros?|\bF|\bfrancs?|\d)\s+d'\s*amende|\bà\s+perpétuité)\b",
    re.IGNORECASE,
)
_PENALTY_PREFIX = re.compile(r"(?:une|la)\s+peine\s+(?:de\s+|d'\s*)(?=\S)", re.IGNORECASE)


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, pos):
        start = match.end()
    end_match = _SENTENCE_END.search(text, pos)
    end = end_match.end() if end_match else len(text)
    while start < len(text) and text[start] == " ":
        start += 1
    return start, end


def _class_number(word: str) -> int | None:
    return _CLASS_WORDS.get(word.lower())


def _custodial_kind(word: str | None) -> str:
    if not word:
        return EMPRISONNEMENT
    return RECLUSION if word.lower().startswith("r") else DETENTION


def _penalty_item(text: str, pos: int, original: str) -> tuple[Penalty, int] | None:
    """One principal penalty written at ``pos`` (the preposition already consumed)."""
    prefix = _PENALTY_PREFIX.match(text, pos)
    if prefix:
        pos = prefix.end()  # "d'une peine de trois ans d'emprisonnement"
    life = _LIFE.match(text, pos)
    if life:
        return (
            Penalty(
                kind=_custodial_kind(life.group("kind")),
                life=True,
                text=original[pos : life.end()],
            ),
            life.end(),
        )
    duration = match_duration(text, pos)
    if duration:
        found, end = duration
        after = _CUSTODIAL_AFTER_DURATION.match(text, end)
        if after:
            return _custodial(after.group("kind"), found, original[pos : after.end()]), after.end()
        return None
    before = _CUSTODIAL_BEFORE_DURATION.match(text, pos)
    if before:
        duration = match_duration(text, before.end())
        if duration:
            found, end = duration
            return _custodial(before.group("kind"), found, original[pos:end]), end
        return None
    contravention = _CONTRAVENTION_FINE.match(text, pos)
    if contravention:
        classe = _class_number(contravention.group("cls"))
        if classe is None:
            return None
        return (
            Penalty(
                kind=AMENDE_CONTRAVENTION,
                contravention_class=classe,
                text=original[pos : contravention.end()],
            ),
            contravention.end(),
        )
    amount = match_amount(text, pos)
    if amount:
        found_amount, end = amount
        after = _FINE_AFTER_AMOUNT.match(text, end)
        if after:
            return _fine(found_amount, original[pos : after.end()]), after.end()
        return None
    before = _FINE_BEFORE_AMOUNT.match(text, pos)
    if before:
        amount = match_amount(text, before.end())
        if amount:
            found_amount, end = amount
            return _fine(found_amount, original[pos:end]), end
    return None


def _custodial(kind_word: str | None, duration: Duration, text: str) -> Penalty:
    return Penalty(kind=_custodial_kind(kind_word), months=duration.months, text=text)


def _fine(amount: Amount, text: str) -> Penalty:
    return Penalty(kind=AMENDE, amount=amount.value, currency=amount.currency, text=text)


def _penalty_list(
    text: str, pos: int, original: str, *, aggravation: bool
) -> tuple[list[Penalty], int]:
    """The penalties listed from ``pos`` ("de trois ans d'emprisonnement et de 45 000 euros
    d'amende"); an empty list if the first item is not a penalty."""
    first = (_PREP_AFTER_PORTE if aggravation else _PREP_FIRST).match(text, pos)
    if not first:
        return [], pos
    item = _penalty_item(text, first.end(), original)
    if item is None:
        return [], pos
    penalties = [item[0]]
    end = item[1]
    while True:
        separator = _SEPARATOR.match(text, end)
        if not separator:
            break
        preposition = _NEXT_PREP.match(text, separator.end())
        assert preposition is not None  # the pattern accepts the empty string
        following = _penalty_item(text, preposition.end(), original)
        if following is None:
            break
        penalties.append(following[0])
        end = following[1]
    return penalties, end


_DIVISION_TARGET = re.compile(
    r"(?:à|au|aux|par\s+les?)\s+(?P<divisions>[IVX]{1,4}(?:\s*(?:,|et)\s*[IVX]{1,4})*)\b"
    r"(?!\s*°)(?:\s+(?:de\s+l'article\s+(?P<article>" + _ARTICLE_NUMBER + r")|du\s+présent\s+"
    r"article))?(?:\s+(?P<code>du\s+(?:présent|même)\s+code|du\s+code\s+(?:pénal|de\s+la\s+"
    r"route)))?",
    re.IGNORECASE,
)


def _parse_division_target(text: str, pos: int, original: str) -> tuple[Target, int] | None:
    match = _DIVISION_TARGET.match(text, pos)
    if not match:
        return None
    code = None
    if match.group("code"):
        name = " ".join(match.group("code").lower().split()).removeprefix("du ")
        code = _CODE_NAMES.get(name)
    article = match.group("article")
    return (
        Target(
            article=_normalise_article(article) if article else None,
            code=code,
            divisions=tuple(re.findall(r"[IVX]+", match.group("divisions"))),
            text=original[pos : match.end()].strip(),
        ),
        match.end(),
    )


def _normalise_article(article: str) -> str:
    number = re.sub(r"\s+", "", article)
    number = re.sub(r"^(LO|L|R|D)\.?", r"\1", number, flags=re.IGNORECASE).upper()
    return re.sub(r"(BIS|TER|QUATER)$", lambda m: " " + m.group(1).lower(), number)


def _parse_target(text: str, pos: int, original: str) -> tuple[Target, int] | None:
    division = _parse_division_target(text, pos, original)
    if division:
        return division
    match = _TARGET.match(text, pos)
    if not match or match.end() == pos:
        return None
    alinea_words = match.group("alineas")
    article = match.group("article")
    if match.group("more"):
        return None  # several articles: which one's penalties is not for us to choose
    if not (
        alinea_words or article or match.group("this_article") or match.group("previous_article")
    ):
        return None
    alineas: list[int] = []
    last = previous = False
    if alinea_words:
        for word in re.split(r"\s*(?:,|et)\s*|\s+", alinea_words.strip()):
            if not word:
                continue
            lowered = word.lower()
            if lowered == "dernier":
                last = True
            elif lowered == "précédent":
                previous = True
            elif lowered in ORDINALS:
                alineas.append(ORDINALS[lowered])
            else:
                return None
    if match.group("after_alinea"):
        previous = True
    code = None
    code_text = match.group("code")
    if code_text:
        lowered = " ".join(code_text.lower().split())
        if lowered in ("du présent code", "du même code"):
            code = None
        else:
            name = lowered.removeprefix("du ").strip()
            if name not in _CODE_NAMES:
                return None
            code = _CODE_NAMES[name]
    number = _normalise_article(article) if article else None
    return (
        Target(
            article=number,
            code=code,
            alineas=tuple(alineas),
            last_alinea=last,
            previous_alinea=previous,
            previous_article=bool(match.group("previous_article")),
            text=original[pos : match.end()].strip(),
        ),
        match.end(),
    )


_AUXILIARY_BEFORE = re.compile(
    r"\b(?:est|sont|soit|soient|sera|seront|serait|seraient|être|été|était|étaient)\s+"
    r"(?:également\s+|aussi\s+|alors\s+|notamment\s+)?$",
    re.IGNORECASE,
)
# "portée à trente ans si l'infraction est punie de vingt ans": a scale applied to the base
# penalty of the offence, which the alinéa alone does not give.
_SCALE = re.compile(
    r"\b(?:si|lorsque|lorsqu')\s*(?:l'infraction|le\s+crime|le\s+délit|celle-ci|celui-ci)\s+"
    r"(?:est|était)\s+punie?\b",
    re.IGNORECASE,
)
# The subject of "est portée à" names the penalty when the amount or term stands alone
# ("La peine d'emprisonnement est portée à dix ans").
_SUBJECT_KIND = re.compile(
    r"(?:la\s+peine\s+d'emprisonnement|l'emprisonnement|la\s+peine\s+de\s+"
    r"(?P<criminal>réclusion|détention)\s+criminelle|(?P<fine>la\s+peine\s+d'amende|"
    r"l'amende|le\s+montant\s+de\s+l'amende))\s+(?:encourue\s+)?(?:est|sera)\s+"
    r"(?:également\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Trigger:
    """Penalty words found in an alinéa, with the sentence around them."""

    text: str  # normalised alinéa
    original: str  # verbatim alinéa
    alinea: Alinea
    start: int
    end: int
    sentence_start: int
    sentence: str

    @property
    def legal_persons(self) -> bool:
        return bool(_LEGAL_PERSONS.search(self.text[self.sentence_start : self.start]))

    def conjunction(self) -> re.Match[str] | None:
        return _CONDITION_BEFORE.search(self.text[self.sentence_start : self.start])

    def in_condition(self, stop: int | None) -> bool:
        """Whether the words sit in a subordinate clause about another offence ("lorsque
        l'infraction préparée est punie de dix ans, ...", "un délit qui est puni de ...").

        "Le fait de ... lorsque cette image présente un caractère pornographique est puni de
        cinq ans ..." is a statement: the conjunction there belongs to the subject. So a
        conjunction counts only when the words are a participle ("des délits punis de"), when
        a main clause follows the list (", la participation ... est punie"), or when the
        sentence already stated a penalty before the conjunction.
        """
        conjunction = self.conjunction()
        if conjunction is None:
            return False
        if _OFFENCE_SUBJECT.match(conjunction.group(0)):
            return True  # "si l'infraction est punie de vingt ans"
        if re.search(r"\b(?:qui|dont)\s", conjunction.group(0)[:6], re.IGNORECASE):
            return True
        before = self.text[self.sentence_start : self.start]
        if not _AUXILIARY_BEFORE.search(before):
            return True
        if stop is not None and re.match(r"\s*,", self.text[stop:]):
            return True
        earlier = self.text[self.sentence_start : self.sentence_start + conjunction.start()]
        return bool(_PUNI.search(earlier) or _PORTE.search(earlier))

    def adjectival(self) -> bool:
        """ "punis de" used as an adjective, with no verb ("aux délits punis de dix ans"),
        except after "constitue(nt) un ..." ("constituent un outrage puni de 7 500 euros
        d'amende"), the way the codes state some penalties."""
        before = self.text[self.sentence_start : self.start]
        if _AUXILIARY_BEFORE.search(before):
            return False
        return not _CONSTITUTES.search(before)

    def scaled(self) -> bool:
        return bool(_SCALE.search(self.sentence))


@dataclass
class _AlineaResult:
    statements: list[Statement] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    fine_may_exceed: list[str] = field(default_factory=list)
    # "sont punies :" — the penalties follow in the enumerated alinéas (sentence kept).
    enumeration: tuple[str, bool] | None = None
    # Spans of the alinéa whose penalty quantities are accounted for (read or explained).
    spans: list[tuple[int, int]] = field(default_factory=list)


def _list_after_puni(text: str, end: int, original: str) -> tuple[list[Penalty], int]:
    penalties, stop = _penalty_list(text, end, original, aggravation=False)
    if penalties:
        return penalties, stop
    incidental = _INCIDENTAL.match(text, end)
    if incidental and not _PENALTY_WORDS.search(incidental.group("clause")):
        return _penalty_list(text, incidental.end(), original, aggravation=False)
    return [], end


def _has_second_list(text: str, stop: int, original: str, *, aggravation: bool) -> bool:
    alternative = _OR_LIST.match(text, stop)
    if not alternative:
        return False
    penalties, _ = _penalty_list(text, alternative.end(), original, aggravation=aggravation)
    return bool(penalties)


# "et", "ou", possibly followed by the offence the next list is for ("et celle définie au
# deuxième alinéa du même article de ...", "et l'infraction prévue par l'article 413-6 de ...").
_FURTHER = re.compile(
    r"\b(?P<joint>et|ou)\s+(?:(?:celles?|celui|ceux|l'infraction|les\s+infractions|le\s+délit|"
    r"les\s+délits)\b[^,;:]{0,120}?\s+(?=de\s|d'))?",
    re.IGNORECASE,
)
_DISTINCTIONS = re.compile(r"\b(?:selon|suivant)\s+les\s+distinctions\b", re.IGNORECASE)


def _further_lists(
    trigger: _Trigger, stop: int, *, aggravation: bool
) -> tuple[list[tuple[list[Penalty], int, int]], bool]:
    """Further penalty lists in the same sentence, one per case: "est punie de trois ans ...
    et celle définie au deuxième alinéa de 7 500 euros d'amende", "portées à deux ans ...
    dans le cas prévu par le premier alinéa, et à trois ans ... dans le cas prévu par le
    deuxième alinéa". Returns them and whether one is an unexplained alternative ("ou de")."""
    text, original = trigger.text, trigger.original
    _, sentence_end = _sentence_bounds(text, trigger.start)
    # A later "puni" / "portée à" in the sentence starts a statement of its own.
    for pattern in (_PUNI, _PORTE, _SAME_INCURRED):
        following = pattern.search(text, stop, sentence_end)
        if following:
            sentence_end = following.start()
    lists: list[tuple[list[Penalty], int, int]] = []
    alternative = False
    position = stop
    while True:
        joint = _FURTHER.search(text, position, sentence_end)
        if joint is None:
            break
        penalties: list[Penalty] = []
        end = joint.end()
        for mode in (True, False) if aggravation else (False,):
            penalties, end = _penalty_list(text, joint.end(), original, aggravation=mode)
            if penalties:
                break
        if not penalties:
            position = joint.end()
            continue
        if joint.group("joint").lower() == "ou" and not _DISTINCTIONS.search(trigger.sentence):
            alternative = True
        lists.append((penalties, joint.end(), end))
        position = end
    return lists, alternative


def read_alinea(alinea: Alinea) -> _AlineaResult:
    """The statements of one alinéa, and its penalty words left unread or explained."""
    original = alinea.text
    text = normalise(original)
    result = _AlineaResult()
    triggers = sorted(
        [(m.start(), m.end(), "puni") for m in _PUNI.finditer(text)]
        + [(m.start(), m.end(), "porte") for m in _PORTE.finditer(text)]
        + [(m.start(), m.end(), "same") for m in _SAME_INCURRED.finditer(text)]
    )
    for start, end, kind in triggers:
        sentence_start, sentence_end = _sentence_bounds(text, start)
        trigger = _Trigger(
            text=text,
            original=original,
            alinea=alinea,
            start=start,
            end=end,
            sentence_start=sentence_start,
            sentence=original[sentence_start:sentence_end].strip(),
        )
        if kind == "porte":
            _read_aggravation(trigger, result)
        elif kind == "same":
            # "Les mêmes peines sont encourues lorsque ...": the penalties of the statement
            # before it (resolved like "est puni des mêmes peines").
            result.statements.append(
                Statement(
                    alinea=alinea.number,
                    form=SAME_PENALTIES,
                    sentence=trigger.sentence,
                    legal_persons=trigger.legal_persons,
                    offset=start,
                )
            )
        else:
            _read_puni(trigger, result)
    _check_accounted(text, result)
    match = _FINE_MAY_EXCEED.search(text)
    if match:
        start, end = _sentence_bounds(text, match.start())
        sentence = original[start:end].strip()
        if sentence not in result.fine_may_exceed:
            result.fine_may_exceed.append(sentence)
    return result


def _check_accounted(text: str, result: _AlineaResult) -> None:
    """A sentence that states more penalty quantities than were read is not read: "est punie
    de trois ans ... et celle définie au deuxième alinéa de 7 500 euros d'amende" would
    otherwise give the first offence's penalty to the second."""
    kept = []
    for statement in result.statements:
        start, end = _sentence_bounds(text, statement.offset)
        stray = [
            q
            for q in _QUANTITY.finditer(text, start, end)
            if not any(a <= q.start() < b for a, b in result.spans)
        ]
        if stray:
            result.unread.append(
                Unread(
                    statement.alinea,
                    "the sentence states more penalties than were read",
                    statement.sentence,
                )
            )
        else:
            kept.append(statement)
    result.statements = kept


def _with_fine_may_exceed(statement: Statement) -> Statement:
    if not any(p.kind == AMENDE for p in statement.penalties):
        return statement
    return Statement(**{**statement.__dict__, "fine_may_exceed": True})


def _read_aggravation(trigger: _Trigger, result: _AlineaResult) -> None:
    text, original, number, sentence = (
        trigger.text,
        trigger.original,
        trigger.alinea.number,
        trigger.sentence,
    )
    start, end = trigger.start, trigger.end
    may = re.search(r"peu(?:t|vent)\s+être\s+$", text[max(0, start - 20) : start], re.IGNORECASE)
    if re.match(r"au\s+(?:double|triple|quadruple|quintuple|décuple)", text[end:], re.IGNORECASE):
        if may:
            # "dont le montant peut être porté au double du produit": a ceiling that depends on
            # the facts, noted on the fines of the article (fine_may_exceed).
            result.mentions.append(Mention(number, "fine may be raised (proportional)", sentence))
            result.fine_may_exceed.append(sentence)
            return
        result.unread.append(
            Unread(
                number,
                "relative aggravation ('portée(s) au double'): the maximum depends on the "
                "penalty it doubles",
                sentence,
            )
        )
        return
    penalties, stop = _penalty_list(text, end, original, aggravation=True)
    if not penalties:
        subject = _SUBJECT_KIND.search(text[trigger.sentence_start : start])
        if subject:
            penalties, stop = _bare_aggravation(text, end, original, subject)
    if not penalties:
        if _PENALTY_WORDS.search(text[end : end + 80]):
            result.unread.append(
                Unread(number, "aggravation whose penalties are not read", sentence)
            )
        else:
            result.mentions.append(
                Mention(number, "'porté à' not about a principal penalty", sentence)
            )
        return
    if trigger.scaled():
        result.unread.append(
            Unread(
                number,
                "aggravation scaled on the base penalty ('portée à X si l'infraction est punie "
                "de Y'): depends on the offence it applies to",
                sentence,
            )
        )
        return
    if trigger.in_condition(stop):
        result.unread.append(
            Unread(
                number,
                "aggravation inside a subordinate clause: not read with confidence",
                sentence,
            )
        )
        return
    if _LIST_CONTINUES.match(text, stop):
        result.unread.append(
            Unread(number, "penalties continued in enumerated items: not read", sentence)
        )
        return
    further, alternative = _further_lists(trigger, stop, aggravation=True)
    if alternative:
        result.unread.append(
            Unread(number, "alternative penalty lists ('ou de'): not read", sentence)
        )
        return
    result.spans.append((start, stop))
    if may:
        result.mentions.append(Mention(number, "fine may be raised", sentence))
        result.fine_may_exceed.append(sentence)
        return
    for penalties_here, offset, list_stop in [(penalties, start, stop), *further]:
        result.spans.append((offset, list_stop))
        result.statements.append(
            Statement(
                alinea=number,
                form=AGGRAVATION,
                sentence=sentence,
                penalties=tuple(penalties_here),
                alternative=bool(_ALTERNATIVE.match(text, list_stop)),
                legal_persons=trigger.legal_persons,
                offset=offset,
            )
        )


def _bare_aggravation(
    text: str, end: int, original: str, subject: re.Match[str]
) -> tuple[list[Penalty], int]:
    """ "La peine d'emprisonnement est portée à dix ans": the term or amount alone."""
    preposition = _PREP_AFTER_PORTE.match(text, end)
    assert preposition is not None
    pos = preposition.end()
    if subject.group("fine"):
        amount = match_amount(text, pos)
        if amount is None:
            return [], end
        found, stop = amount
        return [_fine(found, original[pos:stop])], stop
    duration = match_duration(text, pos)
    if duration is None:
        return [], end
    months, stop = duration
    return [_custodial(subject.group("criminal"), months, original[pos:stop])], stop


def _read_puni(trigger: _Trigger, result: _AlineaResult) -> None:
    text, original, number, sentence = (
        trigger.text,
        trigger.original,
        trigger.alinea.number,
        trigger.sentence,
    )
    start, end = trigger.start, trigger.end
    same = _SAME.match(text, end)
    reference = _REFERENCE_HEAD.match(text, end)
    target = _parse_target(text, reference.end(), original) if reference else None
    if same and target is None:
        if _ATTEMPT.search(text[trigger.sentence_start : start]):
            # "La tentative des délits prévus ... est punie des mêmes peines": attempt is
            # punishable as the offence itself (art. 121-4); no penalty of its own.
            result.mentions.append(Mention(number, "attempt clause (same penalties)", sentence))
            return
        if trigger.in_condition(None):
            result.mentions.append(Mention(number, "same penalties, in a condition", sentence))
            return
        result.statements.append(
            Statement(
                alinea=number,
                form=SAME_PENALTIES,
                sentence=sentence,
                legal_persons=trigger.legal_persons,
                offset=start,
            )
        )
        return
    if reference:
        if target is None:
            result.unread.append(
                Unread(
                    number, "reference to penalties provided elsewhere, target not read", sentence
                )
            )
            return
        if trigger.in_condition(None):
            result.mentions.append(Mention(number, "reference, in a condition", sentence))
            return
        result.statements.append(
            Statement(
                alinea=number,
                form=REFERENCE,
                sentence=sentence,
                target=target[0],
                legal_persons=trigger.legal_persons,
                offset=start,
            )
        )
        return
    penalties, stop = _list_after_puni(text, end, original)
    if penalties:
        result.spans.append((start, stop))
        if trigger.adjectival():
            # "aux délits punis de dix ans d'emprisonnement": a class of offences.
            result.mentions.append(
                Mention(number, "class of offences by their penalty, not a statement", sentence)
            )
            return
        if trigger.in_condition(stop):
            result.mentions.append(
                Mention(number, "penalty of another offence, in a condition", sentence)
            )
            return
        if _LIST_CONTINUES.match(text, stop):
            result.unread.append(
                Unread(number, "penalties continued in enumerated items: not read", sentence)
            )
            return
        further, alternative = _further_lists(trigger, stop, aggravation=False)
        if alternative:
            result.unread.append(
                Unread(number, "alternative penalty lists ('ou de'): not read", sentence)
            )
            return
        for penalties_here, offset, list_stop in [(penalties, start, stop), *further]:
            result.spans.append((offset, list_stop))
            result.statements.append(
                Statement(
                    alinea=number,
                    form=DIRECT,
                    sentence=sentence,
                    penalties=tuple(penalties_here),
                    alternative=bool(_ALTERNATIVE.match(text, list_stop)),
                    legal_persons=trigger.legal_persons,
                    offset=offset,
                )
            )
        return
    following = text[end : end + 60]
    if re.match(r"\s*(?:par|comme|conformément|selon|en\s+application|même)\b", following, re.I):
        result.mentions.append(Mention(number, "'puni par/comme': no penalty stated", sentence))
    elif re.match(r"\s*:\s*$", following):
        result.enumeration = (sentence, trigger.legal_persons)
    elif trigger.conjunction() or re.match(r"\s*d'(?:au\s+moins|une\s+peine)", following, re.I):
        at_least = _AT_LEAST.match(text, end)
        if at_least:
            result.spans.append((start, at_least.end()))
        result.mentions.append(
            Mention(number, "class of offences by their penalty, not a statement", sentence)
        )
    else:
        result.unread.append(Unread(number, "penalty words not read", sentence))


def _read_enumeration(
    items: list[Alinea], intro: Alinea, intro_sentence: str, legal_persons: bool
) -> tuple[list[Statement], list[Unread]]:
    """ "Les violences habituelles ... sont punies : 1° De trente ans de réclusion criminelle
    lorsque ...; 2° De vingt ans ..." — one statement per item, all or nothing."""
    statements = []
    for item in items:
        text = normalise(item.text)
        mark = _ITEM_MARK.match(text)
        assert mark is not None
        penalties, stop = _penalty_list(text, mark.end(), item.text, aggravation=False)
        if not penalties or _has_second_list(text, stop, item.text, aggravation=False):
            return [], [
                Unread(
                    intro.number,
                    f"enumerated penalties: item alinéa {item.number} not read",
                    intro_sentence,
                )
            ]
        statements.append(
            Statement(
                alinea=item.number,
                form=DIRECT,
                sentence=item.text,
                penalties=tuple(penalties),
                alternative=bool(_ALTERNATIVE.match(text, stop)),
                legal_persons=legal_persons,
            )
        )
    if not statements:
        return [], [
            Unread(intro.number, "penalties announced after a colon, none follows", intro_sentence)
        ]
    return statements, []


def read_article(alineas: list[Alinea]) -> ArticleReading:
    """Every statement of an article version, and what was left unread, alinéa by alinéa."""
    reading = ArticleReading()
    skip_until = 0
    fine_may_exceed = False
    for index, alinea in enumerate(alineas):
        if alinea.number <= skip_until:
            continue
        result = read_alinea(alinea)
        reading.statements.extend(result.statements)
        reading.unread.extend(result.unread)
        reading.mentions.extend(result.mentions)
        fine_may_exceed = fine_may_exceed or bool(result.fine_may_exceed)
        reading.fine_may_exceed.extend((alinea.number, s) for s in result.fine_may_exceed)
        if result.enumeration is not None:
            items = []
            for following in alineas[index + 1 :]:
                if not _ITEM_MARK.match(normalise(following.text)):
                    break
                items.append(following)
            statements, unread = _read_enumeration(items, alinea, *result.enumeration)
            reading.statements.extend(statements)
            reading.unread.extend(unread)
            skip_until = items[-1].number if items else alinea.number
        normalised = normalise(alinea.text)
        if _LEGAL_PERSONS_FINE.search(normalised) and _LEGAL_PERSONS.search(normalised):
            reading.legal_persons_fine.append((alinea.number, alinea.text))
    if fine_may_exceed:
        reading.statements = [_with_fine_may_exceed(s) for s in reading.statements]
    return reading
