"""report.html draws every chart in a browser with the network cut (no CDN, no request)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.cli import app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.browser
def test_report_renders_offline(population_files: dict[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["dedupe", "--input", str(population_files["records"]), "--output", str(out), "--baseline"],
    )
    assert result.exit_code == 0, result.stderr
    requests: list[str] = []
    errors: list[str] = []

    def refuse_network(route: Route) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", refuse_network)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto((out / "report.html").as_uri())
            page.wait_for_function(
                "Array.from(document.querySelectorAll('.chart'))"
                ".every(d => d.querySelector('svg, canvas') || d.classList.contains('error'))",
                timeout=20_000,
            )
            drawn = page.evaluate(
                "Array.from(document.querySelectorAll('.chart'))"
                ".map(d => d.querySelectorAll('svg, canvas').length > 0)"
            )
            failed = page.locator(".chart.error").count()
            shots = Path("test-artifacts/screenshots")
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "linkage-report.png"), full_page=True)
        finally:
            browser.close()
    assert failed == 0
    assert len(drawn) >= 4
    assert all(drawn)
    assert requests == []
    assert errors == []
