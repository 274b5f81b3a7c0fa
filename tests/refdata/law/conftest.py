"""A small law dataset built from the committed one, for the loader and API tests.

The subset is made the way the build makes the whole: the chosen articles' records of
``versions.jsonl``, then ``derive_files`` and ``manifest_bytes`` — so it is real text, read by
the real parser, in the real layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from refdata.law.dataset import (
    DATASET_DIR,
    MANIFEST_FILE,
    VERSIONS_FILE,
    derive_files,
    manifest_bytes,
)

ARTICLES = {
    ("code-penal", "226-4"),  # 100 000 F until 2002, then 15 000 euros
    ("code-penal", "311-3"),
    ("code-penal", "311-4"),
    ("code-penal", "222-13"),
    ("code-penal", "434-23"),
    ("code-penal", "227-3"),
    ("code-penal", "434-38"),
    ("code-de-la-route", "L234-1"),
    ("code-de-la-route", "L330-6"),  # "des peines prévues par l'article 434-23 du code pénal"
    ("code-de-la-route", "L221-2"),
    ("code-monetaire-et-financier", "L163-2"),  # NATINF 7 and 8: no curated penalty
    ("code-monetaire-et-financier", "L163-6"),
}

MakeDataset = Callable[..., Path]


def write_subset(directory: Path, articles: Iterable[tuple[str, str]]) -> Path:
    wanted = set(articles)
    lines = (DATASET_DIR / VERSIONS_FILE).read_bytes().decode("utf-8").splitlines()
    kept = [lines[0]]
    for line in lines[1:]:
        # Each record names its code and article before anything else that could match.
        for code, article in wanted:
            if f'"code": "{code}"' in line and f'"article": "{article}"' in line:
                kept.append(line)
                break
    versions = ("\n".join(kept) + "\n").encode("utf-8")
    derived = derive_files(versions)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / VERSIONS_FILE).write_bytes(versions)
    for name, payload in derived.items():
        (directory / name).write_bytes(payload)
    (directory / MANIFEST_FILE).write_bytes(manifest_bytes(versions, derived))
    return directory


@pytest.fixture
def make_law_dataset(tmp_path: Path) -> MakeDataset:
    """``make_law_dataset()`` -> a directory holding a law dataset of ``ARTICLES``."""
    counter = iter(range(100))

    def make(articles: Iterable[tuple[str, str]] = ARTICLES) -> Path:
        return write_subset(tmp_path / f"law-{next(counter)}", articles)

    return make
