"""Settings read from the environment (``SRJ_*``), with embedded defaults for local use.

Secrets (token signing, pseudonymisation and encryption keys) must be given explicitly in
production (``SRJ_ENV=production``). For local use they are generated once and kept in
``<data_dir>/dev-secrets.json`` so that ``srj auth token`` and ``srj serve`` agree.
"""

from __future__ import annotations

import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the service keeps its SQLite database, bulk files, models and local secrets.

    Run from a source checkout (the README's commands, an editable install), it is the
    checkout's ``var/`` whatever the working directory: ``srj auth token`` run from another
    directory used to create a second ``./var/dev-secrets.json`` there, and the server then
    refused its tokens. Installed elsewhere, it is the user's data directory.
    """
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file():
        return root / "var"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "srj"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SRJ_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    log_level: str = "INFO"
    log_json: bool = True

    # Bearer tokens. Locally: HS256 tokens signed with ``auth_secret`` (``srj auth token``).
    # In production the ministry's identity provider signs them: set the OIDC fields.
    auth_secret: str = ""
    auth_issuer: str = "srj-local"
    auth_audience: str = "srj"
    oidc_jwks_url: str = ""
    oidc_issuer: str = ""
    oidc_role_claim: str = "roles"
    # The source applications an application token may write to the person registry: a list
    # (or a space-separated string) in this claim, for local and identity-provider tokens.
    auth_sources_claim: str = "sources"

    # Keys for the person registry, as ``id:base64key`` comma-separated, newest first:
    # the first one writes, all of them read, which is how keys rotate.
    pseudonym_keys: str = ""
    encryption_keys: str = ""

    cors_origins: list[str] = Field(default_factory=lambda: ["*"])

    # How far in the future a reference-data release may be dated (``published_on``). A
    # release dated years ahead (9999-12-31, 2062 typed for 2026) would become the latest and
    # every later import would be refused as "published before it".
    refdata_publication_horizon_days: int = Field(default=90, ge=0, le=3660)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'srj.db'}"

    def secret(self, name: str) -> str:
        """The configured secret ``name`` or, outside production, a persisted generated one."""
        configured = getattr(self, name, "")
        if configured:
            # HS256 with a key shorter than its 256-bit output is brute-forceable (RFC 7518 3.2).
            if name == "auth_secret" and len(str(configured).encode()) < 32:
                raise RuntimeError("SRJ_AUTH_SECRET must be at least 32 bytes long")
            return str(configured)
        if self.env == "production":
            raise RuntimeError(
                f"SRJ_{name.upper()} must be set in production (refusing a generated secret)"
            )
        return _dev_secret(self.data_dir, name)


def _dev_secret(data_dir: Path, name: str) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "dev-secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        if name in {"pseudonym_keys", "encryption_keys"}:
            import base64

            stored[name] = "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        else:
            stored[name] = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    return stored[name]


@lru_cache
def get_settings() -> Settings:
    return Settings()
