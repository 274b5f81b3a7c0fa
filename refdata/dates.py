"""Dates as French law reads them: "today" is the date in France, whatever the server's zone.

Shared by every dataset: reads default ``as_of`` to it, publications ``published_on``.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def today() -> date:
    """The date in France: what "in force today" means for French law."""
    return datetime.now(PARIS).date()
