"""Problem documents for records the registry refuses after their shape was validated.

They read like FastAPI's validation errors (``srj.problems``): same type, a detail naming the
field, an ``errors`` list with its location, never the submitted value.
"""

from __future__ import annotations

from identity.sources import SourceNotWritableError, UnknownSourceError
from srj.problems import PROBLEM_BASE, ProblemError


def unknown_source_problem(exc: UnknownSourceError) -> ProblemError:
    return ProblemError(
        422,
        "Invalid request",
        f"The request does not satisfy the API contract: body.source: {exc}",
        type_=PROBLEM_BASE + "validation-error",
        errors=[{"location": ["body", "source"], "type": exc.type, "message": str(exc)}],
        known_sources=exc.known,
    )


def not_writable_problem(exc: SourceNotWritableError) -> ProblemError:
    return ProblemError(403, "Source not allowed", str(exc), writable_sources=exc.writable)
