"""FastAPI dependencies of the review workflow (shared by the API and the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.config import RegistrySettings, get_registry_settings
from identity.deps import CryptoDep
from identity.review.config import ReviewSettings, get_review_settings
from identity.review.repository import ReviewRepository
from identity.review.service import ReviewService
from srj.deps import WriteSessionDep
from srj.problems import ProblemError
from srj.settings import Settings, get_settings

ReviewSettingsDep = Annotated[ReviewSettings, Depends(get_review_settings)]


def get_review_service(
    session: WriteSessionDep, crypto: CryptoDep, settings: ReviewSettingsDep
) -> ReviewService:
    # A write session even for reads: reading a review writes the access log.
    return ReviewService(ReviewRepository(session), crypto, settings)


ReviewServiceDep = Annotated[ReviewService, Depends(get_review_service)]


def get_auto_link_threshold(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    config: Annotated[RegistrySettings, Depends(get_registry_settings)],
) -> float | None:
    """The auto-link threshold in force (configuration, else the model's); None without a
    model: the statistics page still shows everything else."""
    if config.auto_link_threshold is not None:
        return config.auto_link_threshold
    from identity.deps import get_matcher

    try:
        return float(get_matcher(request, settings, config).thresholds.auto_link)
    except (ProblemError, ImportError):
        return None


AutoLinkThresholdDep = Annotated[float | None, Depends(get_auto_link_threshold)]
