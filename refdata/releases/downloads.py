"""Bulk files of a release: which file belongs to which dataset, and finding (or rebuilding) it.

Files are written at release time into the content-addressed store
(:mod:`refdata.releases.storage`). When one is missing (new machine, purged cache), it is rebuilt
from the database with the same deterministic builder (the dataset's
:class:`~refdata.releases.definition.ReleaseDefinition`), which gives the same bytes and so the
same SHA-256 as recorded in the release.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy.orm import Session

from refdata.errors import GoneError, NotFoundError
from refdata.releases import repository as repo
from refdata.releases.definition import Definitions
from refdata.releases.models import Release, ReleaseFile
from refdata.releases.storage import BulkStore, StoredFile
from refdata.releases.withdrawal import gone

log = logging.getLogger(__name__)


def file_datasets(datasets: Definitions) -> dict[str, str]:
    """Public file name (in URLs) -> the dataset it belongs to."""
    return {name: d.name for d in datasets.values() for name in d.files}


def compressible(name: str) -> bool:
    """Files worth keeping a gzip copy of (Parquet is compressed inside)."""
    return not name.endswith(".parquet")


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
    withdrawal = repo.withdrawal_of(session, release.id)
    if withdrawal is not None:
        raise GoneError(gone(release, withdrawal))
    if release.dataset != dataset:
        raise NotFoundError(
            f"release '{ref}' belongs to dataset '{release.dataset}', which has no such file"
        )
    return release


def locate(
    session: Session, store: BulkStore, datasets: Definitions, ref: str, name: str
) -> Download:
    dataset = file_datasets(datasets).get(name)
    if dataset is None:
        raise NotFoundError(f"no bulk file named '{name}'")
    release = resolve_release(session, ref, dataset)
    record = next((f for f in repo.release_files(session, release.id) if f.name == name), None)
    if record is None:
        raise NotFoundError(f"release '{release.id}' has no file '{name}'")
    suffix = PurePath(name).suffix
    stored = store.locate(record.sha256, suffix)
    if stored is None or (compressible(name) and stored.gzip_path is None):
        stored = _rebuild(session, store, datasets, release, record, suffix)
    return Download(release, record, stored)


def _rebuild(
    session: Session,
    store: BulkStore,
    datasets: Definitions,
    release: Release,
    record: ReleaseFile,
    suffix: str,
) -> StoredFile:
    data = datasets[release.dataset].build_files(session, release)[record.name]
    stored = store.put(data, suffix, compress=compressible(record.name))
    if stored.sha256 != record.sha256:
        # Only a library change (e.g. the Parquet writer's version string) can do this: the
        # data is the same, the bytes are not. Serve the rebuilt file under its true checksum.
        log.warning(
            "rebuilt bulk file differs from its recorded checksum",
            extra={"release": release.id, "file": record.name},
        )
    return stored
