"""Bulk files of a release: which file belongs to which dataset, and finding (or rebuilding) it.

Files are written at release time into the content-addressed store (:mod:`refdata.storage`).
When one is missing (new machine, purged cache), it is rebuilt from the database with the same
deterministic builder, which gives the same bytes and so the same SHA-256 as recorded in the
release.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy.orm import Session

from refdata import repository as repo
from refdata.bulk_files import OFFENCE_FORMATS, ReleaseHeader
from refdata.curated_datasets import CURATED_DATASETS
from refdata.curated_releases import rebuild_files
from refdata.errors import NotFoundError
from refdata.models import Release, ReleaseFile
from refdata.penalties import PENALTIES_DATASET, build_penalty_files
from refdata.service import NATINF_DATASET, release_snapshots
from refdata.storage import BulkStore, StoredFile

log = logging.getLogger(__name__)

# Public file name (in URLs) -> dataset it belongs to.
FILE_DATASETS: dict[str, str] = {
    "offences.csv": NATINF_DATASET,
    "offences.latin-1.csv": NATINF_DATASET,
    "offences.json": NATINF_DATASET,
    "offences.parquet": NATINF_DATASET,
    "penalties.csv": PENALTIES_DATASET,
    "penalties.json": PENALTIES_DATASET,
    # courts.csv, ressorts.csv, courts.json; tariffs.json and one CSV per tariff table;
    # communes.csv, successions.csv, communes.json.
    **{name: d.name for d in CURATED_DATASETS.values() for name in d.file_names},
}
# Files worth keeping a gzip copy of (Parquet is compressed inside).
COMPRESSIBLE = {name for name in FILE_DATASETS if not name.endswith(".parquet")}

Builder = Callable[[Session, Release], dict[str, bytes]]


def _natinf_files(session: Session, release: Release) -> dict[str, bytes]:
    header = ReleaseHeader(release.id, release.dataset, release.published_on)
    snapshots = release_snapshots(session, release)
    return {name: fmt.build(header, snapshots) for name, fmt in OFFENCE_FORMATS.items()}


BUILDERS: dict[str, Builder] = {
    NATINF_DATASET: _natinf_files,
    PENALTIES_DATASET: build_penalty_files,
    **{d.name: rebuild_files(d) for d in CURATED_DATASETS.values()},
}


def register_bulk_builder(dataset: str, builder: Builder, files: list[str]) -> None:
    """Let another dataset publish bulk files through ``/v1/downloads``."""
    BUILDERS[dataset] = builder
    for name in files:
        FILE_DATASETS[name] = dataset


@dataclass(frozen=True)
class Download:
    release: Release
    record: ReleaseFile
    stored: StoredFile


def resolve_release(session: Session, ref: str, dataset: str) -> Release:
    if ref == "latest":
        release = repo.latest_release(session, dataset)
        if release is None:
            raise NotFoundError(f"dataset '{dataset}' has no release yet")
        return release
    release = repo.get_release(session, ref)
    if release is None:
        raise NotFoundError(f"no release '{ref}'")
    if release.dataset != dataset:
        raise NotFoundError(
            f"release '{ref}' belongs to dataset '{release.dataset}', which has no such file"
        )
    return release


def locate(session: Session, store: BulkStore, ref: str, name: str) -> Download:
    dataset = FILE_DATASETS.get(name)
    if dataset is None:
        raise NotFoundError(f"no bulk file named '{name}'")
    release = resolve_release(session, ref, dataset)
    record = next((f for f in repo.release_files(session, release.id) if f.name == name), None)
    if record is None:
        raise NotFoundError(f"release '{release.id}' has no file '{name}'")
    suffix = PurePath(name).suffix
    stored = store.locate(record.sha256, suffix)
    if stored is None or (name in COMPRESSIBLE and stored.gzip_path is None):
        stored = _rebuild(session, store, release, record, suffix)
    return Download(release, record, stored)


def _rebuild(
    session: Session, store: BulkStore, release: Release, record: ReleaseFile, suffix: str
) -> StoredFile:
    data = BUILDERS[release.dataset](session, release)[record.name]
    stored = store.put(data, suffix, compress=record.name in COMPRESSIBLE)
    if stored.sha256 != record.sha256:
        # Only a library change (e.g. the Parquet writer's version string) can do this: the
        # data is the same, the bytes are not. Serve the rebuilt file under its true checksum.
        log.warning(
            "rebuilt bulk file differs from its recorded checksum",
            extra={"release": release.id, "file": record.name},
        )
    return stored
