"""The registry's domain errors as RFC 9457 problems, in one place.

:class:`IdentityRoute` (the routers' ``route_class``, as ``refdata.api_support.RefdataRoute``
for the reference data) turns the errors services raise into problems, so the services stay
free of HTTP and the routes free of ``try``/``except``. A merged-away person identifier is
not an error: the routes answer it themselves with a 308 to the survivor.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from identity.crypto import DecryptionError
from identity.ids import InvalidPersonIdError
from identity.record_problems import not_writable_problem, unknown_source_problem
from identity.review.service import (
    InvalidCursorError,
    ReviewNotFoundError,
    ReviewRuleError,
    SplitConflictError,
    StaleReviewError,
)
from identity.service import PersonGoneError, PersonNotFoundError, RecordNotFoundError
from identity.sources import SourceNotWritableError, UnknownSourceError
from srj.problems import ProblemError

# What IdentityRoute maps; anything else is a bug and stays a 500.
IDENTITY_ERRORS = (
    DecryptionError,
    InvalidCursorError,
    InvalidPersonIdError,
    PersonGoneError,
    PersonNotFoundError,
    RecordNotFoundError,
    ReviewNotFoundError,
    ReviewRuleError,
    SourceNotWritableError,
    SplitConflictError,
    StaleReviewError,
    UnknownSourceError,
)


def stale_problem(exc: StaleReviewError) -> ProblemError:
    if exc.reason == "closed":
        return ProblemError(
            409,
            "Review already closed",
            "This suggestion was decided or settled since it was read: nothing was changed. "
            "Open the next suggestion of the queue.",
            current_version=None,
        )
    return ProblemError(
        409,
        "Stale review",
        "The suggestion changed since it was read (another reviewer decided, or a re-linkage "
        "moved its records): nothing was changed. Read it again and decide on what it is now.",
        current_version=exc.current,
    )


def problem_from(exc: Exception) -> ProblemError:
    """The problem document of a registry error (details never quote identity traits)."""
    if isinstance(exc, InvalidPersonIdError):
        return ProblemError(422, "Invalid person identifier", str(exc))
    if isinstance(exc, PersonNotFoundError):
        return ProblemError(404, "Unknown person", "No person has this identifier.")
    if isinstance(exc, PersonGoneError):
        return ProblemError(
            410,
            "Person gone",
            "Every record of this person was deleted at the end of its retention period.",
        )
    if isinstance(exc, RecordNotFoundError):
        return ProblemError(
            404, "Unknown record", "The registry holds no record with this source and reference."
        )
    if isinstance(exc, DecryptionError):
        return ProblemError(
            503,
            "Registry keys misconfigured",
            "A sealed record could not be opened with the configured encryption keys.",
        )
    if isinstance(exc, UnknownSourceError):
        return unknown_source_problem(exc)
    if isinstance(exc, SourceNotWritableError):
        return not_writable_problem(exc)
    if isinstance(exc, ReviewNotFoundError):
        return ProblemError(404, "Unknown review", "No match suggestion has this identifier.")
    if isinstance(exc, StaleReviewError):
        return stale_problem(exc)
    if isinstance(exc, ReviewRuleError):
        return ProblemError(422, "Decision refused", str(exc))
    if isinstance(exc, SplitConflictError):
        return ProblemError(409, "Merge cannot be undone", str(exc))
    if isinstance(exc, InvalidCursorError):
        return ProblemError(400, "Invalid cursor", str(exc))
    raise TypeError(f"not a registry error: {type(exc).__name__}")


class IdentityRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except IDENTITY_ERRORS as exc:
                raise problem_from(exc) from None

        return handle
