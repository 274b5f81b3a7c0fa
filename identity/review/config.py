"""Settings of the review workflow (``SRJ_REVIEW_*``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReviewSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SRJ_REVIEW_", extra="ignore")

    # Share of final decisions ("same"/"different") shown blind to a second reviewer: the
    # agreement rate between reviewers is measured on them. 0 turns second opinions off.
    second_opinion_rate: float = Field(default=0.1, ge=0, le=1)
    # Queue pages.
    page_size: int = Field(default=50, ge=1, le=500)
    # The pending queue's order is kept in memory and recomputed after this many seconds
    # (new suggestions join it at once, decided ones leave it at once): see queue_order.py.
    queue_order_seconds: float = Field(default=60.0, ge=0)
    # Other persons shown as known namesakes of a suggestion's two persons.
    max_namesakes: int = Field(default=10, ge=0, le=100)
    # Records read through the blocking keys when looking for namesakes.
    namesake_candidates: int = Field(default=300, ge=1)
    # Minimum length of the reason of a "different" decision (and of an undo).
    min_reason_length: int = Field(default=3, ge=1)
    # The web pages' session cookie: lifetime, and whether it is sent over HTTPS only
    # (true in production; local use runs on plain HTTP).
    session_hours: int = Field(default=8, ge=1, le=24)
    cookie_secure: bool = False


@lru_cache
def get_review_settings() -> ReviewSettings:
    return ReviewSettings()
