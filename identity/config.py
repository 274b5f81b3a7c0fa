"""Settings of the person registry (``SRJ_REGISTRY_*``), next to the foundation's ``Settings``.

Thresholds default to those stored in the model artefact (chosen there from measured
precision/recall); setting them here overrides the artefact, e.g. to be more cautious in one
deployment. Retention periods are configuration: each source application's regulatory act
(its décret or arrêté) sets how long its records may be kept, and operators copy it here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matching import SOURCES
from srj.settings import Settings

_SOURCE_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SRJ_REGISTRY_", extra="ignore")

    # The source applications whose records the registry holds (a JSON list in the
    # environment); a record of any other source is refused (422 naming these).
    sources: list[str] = Field(default_factory=lambda: list(SOURCES), min_length=1)
    # Which sources a token's subject may write, besides those its sources claim names
    # (local tokens issued without the claim): '{"cassiopee-prod": ["CASSIOPEE"]}'.
    sources_by_subject: dict[str, list[str]] = Field(default_factory=dict)

    # The trained linkage model (from ``srj link train``); default <data_dir>/models/registry.json
    model_path: Path | None = None
    auto_link_threshold: float | None = Field(default=None, gt=0, lt=1)
    review_threshold: float | None = Field(default=None, gt=0, lt=1)

    # Candidate search: a very frequent blocking key (a common surname with a presumed 01-01
    # date of birth...) would otherwise pull thousands of candidates into one resolve.
    candidates_per_key: int = Field(default=100, ge=1)
    max_candidates: int = Field(default=50, ge=1)
    # A record sharing a single blocking key with the incoming one is a candidate only if
    # fewer than this many records hold that key (0: always).
    rare_key_records: int = Field(default=20, ge=0)

    # Years a record is kept after its record date (or its arrival when it has none).
    retention_years: int = Field(default=20, ge=1)
    retention_years_by_source: dict[str, int] = Field(default_factory=dict)

    ingest_batch_size: int = Field(default=500, ge=1)
    # Reads of identity traits must say why (the ``X-Purpose`` header or ``purpose`` parameter).
    require_purpose: bool = False

    @field_validator("sources")
    @classmethod
    def _source_names(cls, v: list[str]) -> list[str]:
        bad = [name for name in v if not _SOURCE_NAME.match(name)]
        if bad:
            raise ValueError(
                "SRJ_REGISTRY_SOURCES: names are upper-case letters, digits and _ "
                f"(at most 32), starting with a letter: {', '.join(bad)}"
            )
        return sorted(set(v))

    @field_validator("model_path")
    @classmethod
    def _expand(cls, v: Path | None) -> Path | None:
        return v.expanduser().resolve() if v else None

    @model_validator(mode="after")
    def _ordered(self) -> RegistrySettings:
        if (
            self.auto_link_threshold is not None
            and self.review_threshold is not None
            and self.review_threshold >= self.auto_link_threshold
        ):
            raise ValueError("SRJ_REGISTRY_REVIEW_THRESHOLD must be below the auto-link threshold")
        return self

    def resolved_model_path(self, settings: Settings) -> Path:
        return self.model_path or settings.data_dir / "models" / "registry.json"

    def retention_for(self, source: str) -> int:
        return self.retention_years_by_source.get(source, self.retention_years)


@lru_cache
def get_registry_settings() -> RegistrySettings:
    return RegistrySettings()
