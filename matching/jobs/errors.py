"""The error a linkage job raises when it cannot run as asked."""

from __future__ import annotations


class JobError(Exception):
    """A job cannot run as asked (bad option combination, unusable model file...)."""
