"""``srj demo load``: the curated reference data and a small synthetic registry."""

from __future__ import annotations

from typing import Any

from srj.settings import Settings


def load_demo(settings: Settings) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    return summary
