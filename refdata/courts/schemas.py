"""Response bodies of the courts API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from refdata.communes.schemas import CommuneResolutionOut
from refdata.courts.index import CourtEntry, RessortEntry
from refdata.courts.models import CourtRessort, CourtVersion
from refdata.courts.service import CompetentCourt, CourtDetail, CourtsForCommune


class SeatOut(BaseModel):
    code_insee: str = Field(examples=["47001"])
    nom: str = Field(examples=["Agen"])


class CourtOut(BaseModel):
    id: str = Field(description="Stable identifier across versions", examples=["tj-agen"])
    type: str = Field(
        description="cour_appel, tribunal_superieur_appel, tribunal_grande_instance (until "
        "2019), tribunal_judiciaire, tribunal_premiere_instance, chambre_detachee, "
        "section_detachee",
        examples=["tribunal_judiciaire"],
    )
    name: str = Field(examples=["Tribunal judiciaire d'Agen"])
    seat: SeatOut | None
    parent_id: str | None = Field(None, examples=["ca-agen"])
    valid_from: date
    valid_to: date | None = Field(None, description="Exclusive; null while in force")
    valid_from_basis: Literal["in_force", "attested", "unverified"] = Field(
        description="in_force: legal start date; attested: a dated source shows the court on "
        "that date (it may be older); unverified: see note"
    )
    source: str
    note: str = ""

    @classmethod
    def of(cls, row: CourtVersion | CourtEntry) -> CourtOut:
        return cls(
            id=row.court_id,
            type=row.type,
            name=row.name,
            seat=SeatOut(code_insee=row.seat_code_insee, nom=row.seat_commune)
            if row.seat_code_insee
            else None,
            parent_id=row.parent_id,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            valid_from_basis=row.valid_from_basis,  # type: ignore[arg-type]  # checked by the table
            source=row.source,
            note=row.note,
        )


class RessortOut(BaseModel):
    granularity: Literal["departement", "commune"] = Field(
        description="departement: the fact covers a whole département (no finer fact held); "
        "commune: the fact names this commune"
    )
    code: str = Field(examples=["47"])
    scope: Literal["territory", "enclave"] = Field(
        description="enclave: only a delimited ground (airport) inside the département"
    )
    valid_from: date
    valid_to: date | None = None
    valid_from_basis: str
    source: str
    note: str = ""

    @classmethod
    def of(cls, row: CourtRessort | RessortEntry) -> RessortOut:
        return cls(
            granularity=row.granularity,  # type: ignore[arg-type]  # checked by the table
            code=row.code,
            scope=row.scope,  # type: ignore[arg-type]  # checked by the table
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            valid_from_basis=row.valid_from_basis,
            source=row.source,
            note=row.note,
        )


class CourtDetailOut(BaseModel):
    court: CourtOut
    parent: CourtOut | None
    children: list[CourtOut] = Field(description="Courts attached to this one on that date")
    ressort: list[RessortOut]
    as_of: date

    @classmethod
    def of(cls, detail: CourtDetail, as_of: date) -> CourtDetailOut:
        return cls(
            court=CourtOut.of(detail.version),
            parent=CourtOut.of(detail.parent) if detail.parent else None,
            children=[CourtOut.of(c) for c in detail.children],
            ressort=[RessortOut.of(r) for r in detail.ressorts],
            as_of=as_of,
        )


class CourtHistoryOut(BaseModel):
    id: str
    versions: list[CourtOut]
    ressort: list[RessortOut]


class CompetentCourtOut(BaseModel):
    court: CourtOut
    role: Literal["first_instance", "appeal", "enclave"] = Field(
        description="first_instance: tribunal judiciaire (or de première instance) for the "
        "commune; appeal: its cour d'appel; enclave: a court competent only for a delimited "
        "ground in the département (airport), with its appeal court"
    )
    match: Literal["commune", "departement"] = Field(
        description="Granularity of the fact that selected this court"
    )
    ressort: RessortOut | None = None
    via: list[str] = Field(
        default_factory=list, description="For an appeal court: the courts it hears appeals from"
    )

    @classmethod
    def of(cls, item: CompetentCourt) -> CompetentCourtOut:
        return cls(
            court=CourtOut.of(item.court),
            role=item.role,
            match=item.match,
            ressort=RessortOut.of(item.ressort) if item.ressort else None,
            via=list(item.via),
        )


class CourtsForCommuneOut(BaseModel):
    commune: CommuneResolutionOut
    as_of: date
    ambiguous: bool = Field(
        description="True when several first-instance courts share the commune's département "
        "and no commune-level fact decides: all candidates are returned, none is picked"
    )
    match: Literal["commune", "departement"]
    courts: list[CompetentCourtOut]

    @classmethod
    def of(cls, result: CourtsForCommune) -> CourtsForCommuneOut:
        return cls(
            commune=CommuneResolutionOut.of(result.commune),
            as_of=result.on,
            ambiguous=result.ambiguous,
            match=result.match,
            courts=[CompetentCourtOut.of(c) for c in result.courts],
        )


class CourtListOut(BaseModel):
    as_of: date | None = Field(None, description="Null when history=true")
    count: int
    courts: list[CourtOut]
