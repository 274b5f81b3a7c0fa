"""Response bodies of the commune API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from refdata.communes.index import CommuneEntry, SuccessionEntry
from refdata.communes.models import Commune, CommuneSuccession
from refdata.communes.service import ResolvedCommune


class CommuneOut(BaseModel):
    code_insee: str = Field(examples=["14712"])
    nom: str = Field(examples=["Troarn"])
    type: str = Field(
        description="commune-actuelle, commune-deleguee, commune-associee or "
        "arrondissement-municipal",
        examples=["commune-actuelle"],
    )
    departement: str = Field(examples=["14"])
    region: str = Field(examples=["28"])
    parent_code: str | None = Field(
        None, description="For a déléguée, associée or arrondissement: the current commune"
    )
    codes_postaux: list[str] = Field(examples=[["14670"]])
    population: int | None = None
    zone: str = Field(description="metro, drom or com", examples=["metro"])
    valid_from: date = Field(description="COG millésime in which this version first appears")
    valid_to: date | None = Field(None, description="Exclusive; null while in force")

    @classmethod
    def of(cls, row: Commune | CommuneEntry) -> CommuneOut:
        return cls(
            code_insee=row.code_insee,
            nom=row.nom,
            type=row.type,
            departement=row.departement,
            region=row.region,
            parent_code=row.parent_code,
            codes_postaux=[c for c in row.codes_postaux.split("|") if c],
            population=row.population,
            zone=row.zone,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )


class SuccessionOut(BaseModel):
    old_code: str = Field(examples=["14114"])
    successor_code: str = Field(examples=["14712"])
    valid_from: date = Field(description="COG millésime in which the succession is first recorded")
    valid_to: date | None = None

    @classmethod
    def of(cls, row: CommuneSuccession | SuccessionEntry) -> SuccessionOut:
        return cls(
            old_code=row.old_code,
            successor_code=row.successor_code,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )


class CommuneResolutionOut(BaseModel):
    requested_code: str = Field(examples=["14114"])
    resolution: Literal["current", "delegue", "associe", "arrondissement", "merged"] = Field(
        description="How the code was resolved: a current commune; a commune déléguée or "
        "associée of a commune nouvelle; an arrondissement municipal; or a code that "
        "disappeared when its commune merged into the current one",
        examples=["merged"],
    )
    commune: CommuneOut = Field(description="The current commune the code designates")
    matched: CommuneOut | None = Field(
        None, description="The déléguée, associée or arrondissement entry that matched"
    )
    successions: list[SuccessionOut] = Field(
        default_factory=list, description="Mergers followed from the requested code"
    )
    cog_millesime: date = Field(description="The COG millésime the answer is read from")

    @classmethod
    def of(cls, resolved: ResolvedCommune) -> CommuneResolutionOut:
        return cls(
            requested_code=resolved.requested_code,
            resolution=resolved.resolution,
            commune=CommuneOut.of(resolved.commune),
            matched=CommuneOut.of(resolved.matched) if resolved.matched else None,
            successions=[SuccessionOut.of(s) for s in resolved.successions],
            cog_millesime=resolved.cog_millesime,
        )


class CommuneHistoryOut(BaseModel):
    requested_code: str
    versions: list[CommuneOut] = Field(description="Every version of every entry with this code")
    successions: list[SuccessionOut] = Field(description="Mergers recorded for this code")
