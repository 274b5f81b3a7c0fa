"""``srj demo load``: the curated reference data and a small synthetic registry."""

from __future__ import annotations

from typing import Any

from srj.settings import Settings


def load_demo(settings: Settings) -> dict[str, Any]:
    from refdata.curated_imports_cli import load_curated_reference_data

    summary: dict[str, Any] = {}
    summary["communes_courts_tariffs"] = load_curated_reference_data(settings)
    from refdata.natinf.demo import load_natinf_seed

    summary["natinf"] = load_natinf_seed(settings)
    from identity.demo import load_registry_demo

    summary["registry"] = load_registry_demo(settings)
    return summary
