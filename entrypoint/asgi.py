"""ASGI entry point for uvicorn workers (``entrypoint.asgi:app``)."""

from entrypoint.app import create_app
from srj.logging_setup import configure_logging
from srj.settings import get_settings

_settings = get_settings()
configure_logging(_settings.log_level, _settings.log_json)
app = create_app(_settings)
