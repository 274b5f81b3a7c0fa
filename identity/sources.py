"""The source applications the registry knows, and which of them a caller may write.

A record's ``source`` names the application that holds it; a misspelt or unknown one would
create a parallel namespace of references that no application ever reads back, so it is
refused, naming the known ones (``SRJ_REGISTRY_SOURCES``; the name of an application is
configuration, not personal data).

Records are bound to their application: an application token writes only the sources its
``sources`` claim names (the identity provider's, or ``srj auth token --source``) and those
``SRJ_REGISTRY_SOURCES_BY_SUBJECT`` maps its subject to. Anything else is refused (403):
otherwise any application could overwrite another's records, its traits and its links.
"""

from __future__ import annotations

from collections.abc import Collection

from identity.config import RegistrySettings
from srj.auth import Principal


class UnknownSourceError(ValueError):
    """``source`` is none of the configured applications (HTTP 422)."""

    type = "unknown_source"

    def __init__(self, known: Collection[str]) -> None:
        self.known = sorted(known)
        super().__init__("unknown source application; the registry knows " + ", ".join(self.known))


def check_known(source: str, config: RegistrySettings) -> None:
    if source not in config.sources:
        raise UnknownSourceError(config.sources)


class SourceNotWritableError(PermissionError):
    """The caller's token does not carry ``source`` (HTTP 403)."""

    def __init__(self, source: str, writable: Collection[str]) -> None:
        self.source = source
        self.writable = sorted(writable)
        if self.writable:
            message = (
                f"This token may not write records of {source}; it may write records of "
                + ", ".join(self.writable)
                + "."
            )
        else:
            message = (
                "This token may write no source application's records: it needs a sources "
                "claim, or its subject in SRJ_REGISTRY_SOURCES_BY_SUBJECT."
            )
        super().__init__(message)


def writable_sources(principal: Principal, config: RegistrySettings) -> frozenset[str]:
    return principal.sources | frozenset(config.sources_by_subject.get(principal.subject, ()))


def check_writable(source: str, principal: Principal, config: RegistrySettings) -> None:
    writable = writable_sources(principal, config)
    if source not in writable:
        raise SourceNotWritableError(source, writable)
