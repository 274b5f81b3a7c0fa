"""Response bodies of ``GET /v1/articles/{code}/{article}``."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

PenaltyKind = Literal[
    "emprisonnement",
    "reclusion_criminelle",
    "detention_criminelle",
    "amende",
    "amende_contraventionnelle",
]
Form = Literal["direct", "aggravation", "same_penalties", "reference"]


class PenaltyOut(BaseModel):
    kind: PenaltyKind
    max_months: int | None = Field(None, description="Maximum term, in months", examples=[12])
    life: bool = Field(False, description="à perpétuité")
    amount: float | None = Field(None, description="Maximum fine", examples=[15000])
    currency: Literal["EUR", "FRF"] | None = Field(
        None, description="EUR, or FRF (francs) for versions before 2002"
    )
    contravention_class: int | None = Field(
        None, description="For amende_contraventionnelle: the class, whose maximum is a tariff"
    )


class SourceOut(BaseModel):
    code: str
    article: str
    version: int
    alinea: int
    sentence: str
    url: str


class StatementOut(BaseModel):
    statement: int = Field(description="Number of the statement in the article version")
    alinea: int
    form: Form = Field(
        description="direct: 'est puni de ...'; aggravation: 'les peines sont portées à ...'; "
        "same_penalties: 'est puni des mêmes peines'; reference: 'des peines prévues à "
        "l'article X' (followed through X as it stood on the same dates)"
    )
    valid_from: date
    valid_to: date | None
    penalties: list[PenaltyOut]
    alternative: bool = Field(description="'ou de l'une de ces deux peines seulement'")
    fine_may_exceed: bool = Field(
        description="The article lets the fine exceed the amount (e.g. the double of the "
        "proceeds): the amount is not a hard ceiling"
    )
    legal_persons: bool
    quoted: bool = Field(description="The alinéa quotes another text")
    sentence: str = Field(description="The sentence, verbatim")
    source: SourceOut | None = Field(
        None, description="Where the numbers were read, when not in this sentence"
    )
    via: list[str]


class UnresolvedOut(BaseModel):
    reason: str
    sentence: str
    valid_from: date
    valid_to: date | None


class AlineaOut(BaseModel):
    number: int = Field(description="Every paragraph is an alinéa, enumerated items included")
    division: str | None = Field(None, description="I, II... when the article has divisions")
    text: str
    penalties: list[StatementOut]
    unresolved: list[UnresolvedOut] = Field(
        description="Penalty sentences of this alinéa not read with confidence, and why"
    )


class VersionSummaryOut(BaseModel):
    version: int
    valid_from: date
    valid_to: date | None = Field(
        None, description="Exclusive; null: in force at the end of the corpus"
    )
    amended_by: str = Field(description="The text that brought this version")
    ended_by: str | None
    commit: str
    url: str = Field(description="The version's text in the corpus")


class VersionOut(VersionSummaryOut):
    recorded_from: date = Field(description="The corpus's own date for the version")
    in_force_from_basis: str | None
    repository: str
    path: str
    alineas: list[AlineaOut]


class CorpusOut(BaseModel):
    repository: str = Field(examples=["etalab/codes-juridiques-francais"])
    commit: str
    known_until: date = Field(description="Texts published after this date are not in it")
    as_of_covered: bool
    warning: str | None


class ArticleOut(BaseModel):
    code: str = Field(examples=["code-penal"])
    code_title: str | None = Field(None, examples=["Code pénal"])
    article: str = Field(examples=["226-4"])
    as_of: date
    in_force: bool
    corpus: CorpusOut
    version: VersionOut | None = Field(description="The version in force on as_of")
    versions: list[VersionSummaryOut]
    history: list[VersionOut] | None = Field(None, description="With history=true")
