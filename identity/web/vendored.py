"""Third-party front-end files the review pages serve themselves: the State's design system
(DSFR, npm ``@gouvfr/dsfr``) and, for the browser tests only, ``axe-core``.

No CDN: a magistrate's browser loads nothing from outside the service. The files are copied
from the npm packages at the versions pinned here, checked against the registry's integrity
digest, with their licences, and listed in a ``MANIFEST.json`` (path, size, sha256) that the
pages serve from (nothing outside it is served) and that a test compares with the files.

Refresh (needs ``npm``; goes through the npm registry like any ``npm pack``)::

    .venv/bin/python -m identity.web.vendored            # the pinned versions, again
    .venv/bin/python -m identity.web.vendored --dsfr 1.15.4 --axe 4.14.2   # prints new digests

To move to another version, run it with the new versions, put the digests it prints into
``PINS`` below, run it again, and look at the pages (the browser tests' screenshots).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

HERE: Final = Path(__file__).resolve().parent
REPO: Final = HERE.parents[1]
DSFR_DIR: Final = HERE / "static" / "dsfr"
AXE_DIR: Final = REPO / "tests" / "browser" / "vendor"
MANIFEST: Final = "MANIFEST.json"
UNPINNED: Final = "(not pinned yet)"  # a version tried from the command line


@dataclass(frozen=True)
class Pin:
    package: str
    version: str
    integrity: str  # the npm registry's dist.integrity (sha512, base64)


PINS: Final = {
    "dsfr": Pin(
        "@gouvfr/dsfr",
        "1.15.3",
        "sha512-R9AALZc1LfZjtytWZMOaUIOHWTkllBZ/sZlsL8TpKZVgF3qUKXt/uNYh+L1D1Fh4p92ZqWxbtNcebsigBZe5pQ==",
    ),
    "axe": Pin(
        "axe-core",
        "4.10.3",
        "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==",
    ),
}

# DSFR files the pages link to, relative to the package's dist/; every file their CSS refers
# to (fonts, icons) is copied with them.
DSFR_ENTRY_FILES: Final = (
    "dsfr.min.css",
    "dsfr.module.min.js",
    "dsfr.nomodule.min.js",
    "utility/icons/icons-system/icons-system.min.css",
    "utility/icons/icons-user/icons-user.min.css",
    "utility/icons/icons-document/icons-document.min.css",
    "utility/icons/icons-arrows/icons-arrows.min.css",
)
AXE_ENTRY_FILES: Final = ("axe.min.js",)
CSS_URL: Final = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def css_references(css: str) -> list[str]:
    """Relative files a stylesheet refers to (data: URIs and fragments left out)."""
    out = []
    for ref in CSS_URL.findall(css):
        ref = ref.split("#", 1)[0].split("?", 1)[0]
        if ref and not ref.startswith(("data:", "http:", "https:", "//", "/")):
            out.append(ref)
    return out


def _npm_pack(pin: Pin, into: Path) -> tuple[Path, str]:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to refresh the vendored files (apt-get install npm)")
    done = subprocess.run(
        [npm, "pack", f"{pin.package}@{pin.version}", "--json", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"npm pack {pin.package}@{pin.version} failed:\n{done.stderr[-2000:]}")
    info = json.loads(done.stdout)[0]
    tarball = into / info["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    return tarball, digest


def _extract(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


def _copy_with_references(root: Path, entries: tuple[str, ...], target: Path) -> list[str]:
    """Copies ``entries`` (relative to ``root``) and, transitively, what their CSS refers to."""
    todo, copied = list(entries), []
    while todo:
        rel = todo.pop()
        if rel in copied:
            continue
        source = (root / rel).resolve()
        if not source.is_relative_to(root.resolve()) or not source.is_file():
            raise SystemExit(f"{rel}: not a file of the package")
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / rel)
        copied.append(rel)
        if rel.endswith(".css"):
            base = Path(rel).parent
            for ref in css_references(source.read_text(encoding="utf-8")):
                resolved = (root / base / ref).resolve().relative_to(root.resolve()).as_posix()
                todo.append(resolved)
    return sorted(copied)


def write_manifest(target: Path, pin: Pin, files: list[str], licence: str) -> None:
    listing = {
        rel: {
            "bytes": (target / rel).stat().st_size,
            "sha256": hashlib.sha256((target / rel).read_bytes()).hexdigest(),
        }
        for rel in sorted([*files, licence])
    }
    body = {
        "package": pin.package,
        "version": pin.version,
        "integrity": pin.integrity,
        "files": listing,
    }
    (target / MANIFEST).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def read_manifest(target: Path) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = json.loads((target / MANIFEST).read_text())["files"]
    return files


def refresh(name: str, pin: Pin, entries: tuple[str, ...], target: Path, dist: str) -> str:
    """Replaces ``target`` with the package's files; returns the tarball's integrity digest."""
    with tempfile.TemporaryDirectory() as tmp:
        tarball, digest = _npm_pack(pin, Path(tmp))
        if pin.integrity != UNPINNED and digest != pin.integrity:
            raise SystemExit(
                f"{pin.package}@{pin.version}: the tarball's digest {digest} is not the pinned "
                f"{pin.integrity}; nothing was changed"
            )
        package = _extract(tarball, Path(tmp) / "x")
        root = package / dist if dist else package
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        files = _copy_with_references(root, entries, target)
        licences = ("LICENSE.md", "LICENSE", "LICENSE.txt")
        licence = next(p for p in licences if (package / p).is_file())
        shutil.copyfile(package / licence, target / licence)
        write_manifest(target, Pin(pin.package, pin.version, digest), files, licence)
        print(f"{name}: {pin.package}@{pin.version} {digest}: {len(files)} files -> {target}")
        return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsfr", help="another @gouvfr/dsfr version (prints its digest)")
    parser.add_argument("--axe", help="another axe-core version (prints its digest)")
    args = parser.parse_args(argv)
    dsfr, axe = PINS["dsfr"], PINS["axe"]
    if args.dsfr:
        dsfr = Pin(dsfr.package, args.dsfr, UNPINNED)
    if args.axe:
        axe = Pin(axe.package, args.axe, UNPINNED)
    refresh("dsfr", dsfr, DSFR_ENTRY_FILES, DSFR_DIR, "dist")
    refresh("axe", axe, AXE_ENTRY_FILES, AXE_DIR, "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
