"""Helpers of the browser tests: the live server handle, commands against it, screenshots."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SRJ = str(Path(sys.executable).with_name("srj"))
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    env: dict[str, str]
    log: Path

    def srj(self, *args: str, timeout: float = 900) -> str:
        """Runs an ``srj`` command against this server's database; returns its stdout."""
        done = subprocess.run(
            [SRJ, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert done.returncode == 0, f"srj {' '.join(args)} failed:\n{done.stderr[-3000:]}"
        return done.stdout

    def token(self, role: str, subject: str) -> str:
        return self.srj("auth", "token", "--role", role, "--subject", subject).strip()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
