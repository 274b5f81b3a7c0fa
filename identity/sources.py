"""The source applications the registry knows, as configured (``SRJ_REGISTRY_SOURCES``).

A record's ``source`` names the application that holds it; a misspelt or unknown one would
create a parallel namespace of references that no application ever reads back, so it is
refused, naming the known ones (the name of an application is configuration, not personal
data).
"""

from __future__ import annotations

from collections.abc import Collection

from identity.config import RegistrySettings


class UnknownSourceError(ValueError):
    """``source`` is none of the configured applications (HTTP 422)."""

    type = "unknown_source"

    def __init__(self, known: Collection[str]) -> None:
        self.known = sorted(known)
        super().__init__("unknown source application; the registry knows " + ", ".join(self.known))


def check_known(source: str, config: RegistrySettings) -> None:
    if source not in config.sources:
        raise UnknownSourceError(config.sources)
