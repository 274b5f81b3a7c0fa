"""FastAPI dependencies of the review workflow (shared by the API and the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.config import RegistrySettings, get_registry_settings
from identity.deps import CryptoDep
from identity.matcher import Matcher
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


def get_model_for_statistics(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    config: Annotated[RegistrySettings, Depends(get_registry_settings)],
) -> Matcher | None:
    """The linkage model in service, to score the labelled pairs as it would today; None
    without a model: the statistics page still shows everything else."""
    from identity.deps import matcher_for

    try:
        return matcher_for(settings, config)
    except (ProblemError, ImportError):
        return None


StatisticsModelDep = Annotated[Matcher | None, Depends(get_model_for_statistics)]
