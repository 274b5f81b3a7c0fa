"""Request and response bodies of the offences, imports and sentence-check API."""

from __future__ import annotations

import re
from datetime import date
from datetime import date as date_type
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    """Refuse what pydantic's lax mode would turn into a date (``0.0`` as a Unix timestamp,
    ``20260601``): partners must send ``YYYY-MM-DD``."""
    if isinstance(value, date_type):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


# A calendar date written YYYY-MM-DD, and nothing else (impossible dates are refused too).
IsoDate = Annotated[date_type, BeforeValidator(_iso_date_only)]

EXAMPLE_REFS: list[JsonValue] = [
    {
        "article": "311-3",
        "alineas": [],
        "paragraphs": [],
        "items": [],
        "text": "code-penal",
        "text_title": "Code pénal",
        "text_raw": "C.PENAL.",
    }
]


class ArticleReference(BaseModel):
    """One article cited by the ``Définie par`` / ``Réprimée par`` columns, parsed."""

    article: str = Field(description="Article number as in Légifrance: `L163-2`, `R417-9`, `227-3`")
    alineas: list[str] = Field(description="Alinéas cited (`AL.1`, `al. 3`)")
    paragraphs: list[str] = Field(description="Paragraphs cited (`§IV`)")
    items: list[str] = Field(description="Items cited (`1°`)")
    text: str | None = Field(
        description="Stable identifier of the code when recognised (`code-penal`, "
        "`code-de-la-route`...), else null"
    )
    text_title: str | None = Field(description="Official title, or the designation as written")
    text_raw: str | None = Field(description="The text designation verbatim (`C.PENAL.`)")


class Penalty(BaseModel):
    category: Literal["principale", "complementaire"]
    kind: str = Field(
        description="`emprisonnement`, `reclusion_criminelle`, `detention_criminelle`, `amende`, "
        "`amende_contraventionnelle` (derived from the contravention class) or a "
        "complementary penalty (`suspension_permis`...)"
    )
    label: str
    max_months: int | None = Field(description="Maximum duration in months")
    life: bool = Field(description="Perpetuity (réclusion criminelle à perpétuité)")
    max_amount_eur: float | None
    recidivism_max_amount_eur: float | None = Field(
        description="Contraventions of the 5th class: maximum in recidivism where provided"
    )
    contravention_class: int | None
    article: str = Field(description="The article that provides the penalty")
    citation: str | None = Field(description="Its wording, verbatim")
    valid_from: date | None = Field(description="Legal validity of that wording")
    valid_to: date | None
    source: str = Field(description="Where the wording was read")
    derived: bool = Field(
        description="True for the class fine of a contravention (derived from its nature and "
        "the tariffs) and for a penalty read from the text of an article the code's "
        '"Réprimée par" cites (see `law`), rather than curated per code'
    )
    law: LawPenaltyOut | None = Field(
        None, description="For a penalty read from the law: the article version it comes from"
    )


class LawPenaltyOut(BaseModel):
    code: str = Field(examples=["code-penal"])
    article: str = Field(examples=["226-4"])
    version: int = Field(description="The article version (GET /v1/articles/{code}/{article})")
    statement: int
    alinea: int
    form: Literal["direct", "aggravation", "same_penalties", "reference"]
    amount: float | None = Field(description="The fine as written (euros or francs)")
    currency: Literal["EUR", "FRF"] | None = Field(
        description="FRF for versions before 2002 (`max_amount_eur` is then null)"
    )
    alternative: bool
    fine_may_exceed: bool = Field(description="The fine is not a hard ceiling")
    legal_persons: bool
    source_sentence: str = Field(description="The sentence the numbers were read from")
    url: str
    known_until: date | None = Field(description="The corpus knows the law up to this date")
    as_of_covered: bool = Field(description="Whether `as_of` is within what the corpus knows")


class LawArticleOut(BaseModel):
    code: str
    article: str
    version: int | None
    cited_alineas: list[int] | None = Field(description="null: the whole article")
    penalties: int
    note: str | None = Field(description="Why nothing was read (not held, not in force)")


class LawUnresolvedOut(BaseModel):
    code: str
    article: str
    alinea: int
    reason: str
    sentence: str


class LawOut(BaseModel):
    known_until: date
    as_of_covered: bool
    articles: list[LawArticleOut] = Field(description="The cited articles the law dataset holds")
    unresolved: list[LawUnresolvedOut] = Field(
        description="Penalty sentences of the cited alinéas not read with confidence"
    )


class OffenceVersionOut(BaseModel):
    natinf: int = Field(examples=[7])
    version: int = Field(description="1, 2, 3... for each change of the code")
    nature: str | None = Field(
        description="Label of the official file; null when the file leaves it empty",
        examples=["Délit"],
    )
    nature_code: str | None = Field(examples=["delit"])
    contravention_class: int | None
    qualification: str
    defined_by: str = Field(description="`Définie par`, verbatim")
    repressed_by: str = Field(description="`Réprimée par`, verbatim")
    defined_by_refs: list[ArticleReference]
    repressed_by_refs: list[ArticleReference]
    valid_from: date = Field(description="Publication date of the release that introduced it")
    valid_to: date | None = Field(
        description="Publication date of the release that changed or retired it (exclusive); "
        "null while in force"
    )
    introduced_in: str
    retired_in: str | None


class Offence(OffenceVersionOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "natinf": 11,
                    "version": 1,
                    "nature": "Délit",
                    "nature_code": "delit",
                    "contravention_class": None,
                    "qualification": "ABANDON DE FAMILLE : NON PAIEMENT D'UNE PENSION OU D'UNE "
                    "PRESTATION ALIMENTAIRE",
                    "defined_by": "ART.227-3 AL.1 C.PENAL.",
                    "repressed_by": "ART.227-3 AL.1, ART.227-29 C.PENAL.",
                    "defined_by_refs": EXAMPLE_REFS,
                    "repressed_by_refs": EXAMPLE_REFS,
                    "valid_from": "2026-10-01",
                    "valid_to": None,
                    "introduced_in": "natinf-2026-10-01",
                    "retired_in": None,
                    "in_force": True,
                    "as_of": "2026-11-28",
                    "penalties": [],
                    "successors": [],
                    "history": None,
                }
            ]
        }
    )

    in_force: bool = Field(description="Whether this version is in force on `as_of`")
    before_history: bool = Field(
        False,
        description="`as_of` is before the first NATINF release held: whether the code was "
        "in force then is not known here; its earliest version is shown, with the penalties "
        "of `as_of`",
    )
    as_of: date
    penalties: list[Penalty] = Field(description="Penalties in force on `as_of`")
    law: LawOut | None = Field(
        None,
        description="What the law dataset says about the articles `repressed_by` cites: their "
        "penalties are in `penalties` (`derived: true`), here are the articles and what could "
        "not be read",
    )
    successors: list[int] = Field(description="Codes replacing this one, where a source says so")
    history: list[OffenceVersionOut] | None = Field(description="Every version, with history=true")


class OffenceSummary(BaseModel):
    natinf: int
    version: int
    nature: str | None
    nature_code: str | None
    contravention_class: int | None
    qualification: str
    defined_by: str
    repressed_by: str
    valid_from: date
    valid_to: date | None
    matched_words: int = Field(description="How many words of the query the qualification has")


class OffenceSearchPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2026-11-28",
                    "match": "all",
                    "total": 1,
                    "items": [
                        {
                            "natinf": 180,
                            "version": 1,
                            "nature": "Délit",
                            "nature_code": "delit",
                            "contravention_class": None,
                            "qualification": "USAGE ILLICITE DE STUPEFIANTS",
                            "defined_by": "Art. L. 3421-1 al. 1 du C. de la santé publique.",
                            "repressed_by": "Art. L. 3421-1 al. 1, al. 2 du C. de la santé "
                            "publique.",
                            "valid_from": "2026-10-01",
                            "valid_to": None,
                            "matched_words": 2,
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )

    as_of: date
    match: Literal["all", "partial", "none"] = Field(
        description="`all`: every query word matched; `partial`: none had all, best coverage "
        "first; `none`: nothing matched"
    )
    total: int
    items: list[OffenceSummary]
    next_cursor: str | None = Field(description="Opaque; pass it as `cursor` for the next page")


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "release": "natinf-2026-10-01",
                    "created": True,
                    "added": 12,
                    "changed": 3,
                    "retired": 2,
                    "unchanged": 16997,
                }
            ]
        }
    )

    release: str | None = Field(description="The new release, or the current one if unchanged")
    created: bool
    added: int
    changed: int
    retired: int
    unchanged: int


class SentenceIn(BaseModel):
    # Strict: a number must be a JSON number and a flag a JSON boolean (no "12" nor "yes").
    model_config = ConfigDict(extra="forbid", strict=True)

    imprisonment_months: float | None = Field(
        default=None,
        ge=0,
        le=1200,
        description="Custodial term in months (emprisonnement; réclusion or détention "
        "criminelle for a crime)",
    )
    life_imprisonment: bool = Field(default=False, description="Perpetuity")
    fine_eur: float | None = Field(default=None, ge=0, le=1_000_000_000)
    recidivism: bool = Field(
        default=False,
        description="Legal recidivism (art. 132-10 CP doubles a délit's maxima; art. 132-11 "
        "for 5th-class contraventions)",
    )


class SentenceCheckIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "natinf": 201,
                    "date": "2026-06-01",
                    "sentence": {"imprisonment_months": 2, "fine_eur": 900},
                }
            ]
        },
    )

    natinf: int = Field(ge=1, le=999_999, strict=True)
    date: IsoDate
    sentence: SentenceIn


class Reason(BaseModel):
    rule: str = Field(examples=["fine_above_class_maximum"])
    message: str
    source: str | None = Field(description="The text the rule comes from")


class CheckedOffence(BaseModel):
    natinf: int
    version: int
    nature: str | None
    qualification: str
    repressed_by: str
    valid_from: date
    valid_to: date | None


class SentenceCheckOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "legal": False,
                    "complete": True,
                    "natinf": 201,
                    "date": "2026-06-01",
                    "offence": None,
                    "reasons": [
                        {
                            "rule": "imprisonment_for_contravention",
                            "message": "NATINF 201 is a contravention de 4ème classe: "
                            "contraventions carry no prison term",
                            "source": "Code pénal, art. 131-12",
                        }
                    ],
                    "notes": [],
                }
            ]
        }
    )

    legal: bool = Field(description="False as soon as one rule is broken")
    complete: bool = Field(
        description="True when every part of the sentence could be checked; see `notes`"
    )
    natinf: int
    date: date
    offence: CheckedOffence | None = Field(description="The version in force on `date`")
    reasons: list[Reason] = Field(description="The rules the sentence breaks")
    notes: list[Reason] = Field(description="What could not be checked, and caveats")
