"""The design system is served by the service itself (no CDN), exactly as vendored from the
pinned npm package (identity/web/vendored.py), with its licence; nothing else is served."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from pathlib import Path

from fastapi.testclient import TestClient

from identity.web.vendored import AXE_DIR, DSFR_DIR, MANIFEST, PINS, css_references


def _manifest(folder: Path) -> dict[str, object]:
    return json.loads((folder / MANIFEST).read_text())


def test_vendored_files_are_those_of_the_pinned_packages() -> None:
    for folder, pin in ((DSFR_DIR, PINS["dsfr"]), (AXE_DIR, PINS["axe"])):
        manifest = _manifest(folder)
        assert (manifest["package"], manifest["version"]) == (pin.package, pin.version)
        assert manifest["integrity"] == pin.integrity
        listed = manifest["files"]
        assert isinstance(listed, dict)
        on_disk = {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST
        }
        assert on_disk == set(listed), "files added or removed by hand: run the refresh"
        for rel, entry in listed.items():
            digest = hashlib.sha256((folder / rel).read_bytes()).hexdigest()
            assert digest == entry["sha256"], f"{rel} was edited by hand"
        assert any(name.startswith("LICENSE") for name in listed)


def test_every_file_the_css_refers_to_is_vendored() -> None:
    files = _manifest(DSFR_DIR)["files"]
    assert isinstance(files, dict)
    listed = set(files)
    for rel in [r for r in listed if r.endswith(".css")]:
        for ref in css_references((DSFR_DIR / rel).read_text(encoding="utf-8")):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), ref))
            assert target in listed, f"{rel} refers to {ref}, not vendored"


def test_pages_link_only_to_the_service_itself(web: TestClient) -> None:
    page = web.get("/revue/")
    links = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert links
    assert all(link.startswith(("/", "#", "data:")) for link in links), links
    for asset in re.findall(r'(?:href|src)="(/revue/static/[^"]+)"', page.text):
        served = web.get(asset)
        assert served.status_code == 200, asset
    css = web.get("/revue/static/dsfr/dsfr.min.css")
    assert css.headers["content-type"].startswith("text/css")
    font = web.get("/revue/static/dsfr/fonts/Marianne-Regular.woff2")
    assert font.headers["content-type"] == "font/woff2"
    assert web.get("/revue/static/dsfr/LICENSE.md").status_code == 200


def test_nothing_outside_the_manifest_is_served(web: TestClient) -> None:
    assert web.get("/revue/static/dsfr/MANIFEST.json").status_code == 404
    assert web.get("/revue/static/dsfr/../pages.py").status_code == 404
    assert web.get("/revue/static/dsfr/%2e%2e/%2e%2e/pages.py").status_code == 404
    assert web.get("/revue/static/vendored.py").status_code == 404
