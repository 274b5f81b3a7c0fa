"""The registry part of ``srj demo load``: a trained model and a small synthetic registry.

Idempotent: the model is trained only when none is configured yet, and the records go through
``srj registry ingest``'s logic, which skips records already held unchanged. Everything comes
from the synthetic population generator (no real person): a few thousand records across the
six applications, with their entry errors, so the review queue holds real suggestions.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from identity.config import RegistrySettings, get_registry_settings
from identity.deps import crypto_for
from identity.ingest import ingest, validate_rows
from identity.linkage import MatcherUnavailableError, load_matcher
from identity.models import MatchSuggestion, SuggestionStatus
from srj.db import make_engine, make_session_factory, session_scope
from srj.settings import Settings

DEMO_PERSONS = 1500
DEMO_SEED = 2026
TRAINING_PERSONS = 4000
TRAINING_SEED = 7

log = logging.getLogger(__name__)


def ensure_model(path: Path) -> bool:
    """Train the demo's linkage model at ``path`` unless one is there. True if trained now."""
    if path.exists():
        return False
    from matching import TrainingSettings, generate, train

    population = generate(TRAINING_PERSONS, seed=TRAINING_SEED)
    # Smaller samples than a production training: the demo must start in a minute or two.
    settings = TrainingSettings(u_max_pairs=1e6, em_max_pairs=5e5)
    model = train(population.records, settings=settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    model.save(tmp)
    tmp.replace(path)
    return True


def load_registry_demo(
    settings: Settings, config: RegistrySettings | None = None, *, persons: int = DEMO_PERSONS
) -> dict[str, Any]:
    from matching import generate

    config = config or get_registry_settings()
    model_path = config.resolved_model_path(settings)
    trained = ensure_model(model_path)
    try:
        matcher = load_matcher(model_path, config)
    except MatcherUnavailableError:
        if trained:
            raise
        # A model saved by an older version of the linkage library: keep it aside, retrain.
        aside = model_path.with_name(f"{model_path.name}.unreadable-{int(time.time())}")
        model_path.replace(aside)
        log.warning("the linkage model could not be loaded; kept as %s, training anew", aside)
        trained = ensure_model(model_path)
        matcher = load_matcher(model_path, config)
    population = generate(persons, seed=DEMO_SEED)
    records = validate_rows(population.records, Path("demo-population"), config)
    engine = make_engine(settings.effective_database_url)
    try:
        summary = ingest(
            records,
            write_factory=make_session_factory(engine, write=True),
            matcher=matcher,
            crypto=crypto_for(settings),
            config=config,
            actor="srj demo load",
        )
        with session_scope(make_session_factory(engine)) as session:
            pending = session.execute(
                select(func.count()).where(MatchSuggestion.status == SuggestionStatus.PENDING.value)
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "model": str(model_path),
        "model_trained_now": trained,
        **summary.as_dict(),
        "pending_suggestions": int(pending),
    }
