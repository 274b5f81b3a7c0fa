"""``srj demo load``'s registry part: a synthetic registry with open suggestions, idempotent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from identity.config import RegistrySettings
from identity.demo import load_registry_demo
from srj.settings import Settings


def test_demo_registry_loads_once_with_pending_suggestions(
    fresh_engine: Engine, model_path: Path, tmp_path: Path
) -> None:
    url = fresh_engine.url.render_as_string(hide_password=False)
    settings = Settings(env="test", data_dir=tmp_path / "var", database_url=url)
    config = RegistrySettings(model_path=model_path)
    first = load_registry_demo(settings, config, persons=400)
    assert first["model_trained_now"] is False
    assert first["records"] > 400
    assert first["linked"] > 0
    assert first["pending_suggestions"] > 0  # the review pages have work to show
    again = load_registry_demo(settings, config, persons=400)
    assert again["unchanged"] == first["records"]
    assert again["pending_suggestions"] == first["pending_suggestions"]
