"""Curated penalties: the file format, its import as ``penalties`` releases, and reads.

The official NATINF file names the repressing articles but not the penalties. The penalties an
offence carries are curated facts: each row cites the article that provides the penalty, its
wording verbatim, the legal validity of that wording and where it was read. File layout
(UTF-8, ``;``, header exactly :data:`HEADER`)::

    natinf;categorie;peine;libelle;duree_max_mois;perpetuite;amende_max_eur;article;citation;
    en_vigueur_depuis;en_vigueur_jusqu_au;source

``categorie`` is ``principale`` or ``complementaire``. Principal ``peine`` values:
``emprisonnement`` and ``detention_criminelle``/``reclusion_criminelle`` (``duree_max_mois`` or
``perpetuite=oui``), ``amende`` (``amende_max_eur``). Complementary penalties use a lower-case
identifier (``suspension_permis``, ``confiscation``...). Contraventions need no row for their
fine: their class is in the NATINF file and the class maximum in the tariffs (art. 131-13 CP).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from refdata.errors import ImportRejectedError, Problem
from refdata.natinf import repository as repo
from refdata.natinf.models import PenaltyVersion
from refdata.natinf.official_file import CONTROL_CHARACTERS, MalformedLineError, split_fields
from refdata.releases import repository as releases_repo
from refdata.releases.models import Release, ReleaseFile

if TYPE_CHECKING:
    from refdata.natinf.offence_source import PenaltyRecord
from refdata.releases.service import (
    ImportSummary,
    ReleaseCounts,
    begin_dataset_write,
    check_publication_order,
    create_release,
    file_label,
    summarise,
)
from refdata.releases.storage import BulkStore, sha256_hex
from refdata.releases.versioning import diff_states

PENALTIES_DATASET = "penalties"
HEADER = (
    "natinf",
    "categorie",
    "peine",
    "libelle",
    "duree_max_mois",
    "perpetuite",
    "amende_max_eur",
    "article",
    "citation",
    "en_vigueur_depuis",
    "en_vigueur_jusqu_au",
    "source",
)
CATEGORIES = ("principale", "complementaire")
CUSTODIAL = ("emprisonnement", "reclusion_criminelle", "detention_criminelle")
PRINCIPAL_KINDS = (*CUSTODIAL, "amende")
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_AMOUNT = re.compile(r"^\d{1,12}(?:\.\d{1,2})?$")

Key = tuple[int, str, str, date]
FIELDS = (
    "label",
    "max_months",
    "life",
    "max_amount_eur",
    "article",
    "citation",
    "valid_to",
    "source",
)


@dataclass(frozen=True)
class PenaltyRow:
    line: int
    natinf: int
    category: str
    kind: str
    label: str
    max_months: int | None
    life: bool
    max_amount_eur: Decimal | None
    article: str
    citation: str
    valid_from: date
    valid_to: date | None
    source: str

    @property
    def key(self) -> Key:
        return (self.natinf, self.category, self.kind, self.valid_from)

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def _date(value: str) -> date:
    return date.fromisoformat(value)


def parse_penalties(data: bytes, known_codes: set[int]) -> tuple[list[PenaltyRow], list[Problem]]:
    problems: list[Problem] = []
    if not data.strip():
        return [], [Problem(1, "the file is empty")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        return [], [Problem(bad_line, "the penalties file must be UTF-8")]
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    try:
        header = tuple(f.strip() for f in split_fields(lines[0]))
    except MalformedLineError as exc:
        return [], [Problem(1, str(exc))]
    if header != HEADER:
        return [], [Problem(1, f"header must be exactly {';'.join(HEADER)}")]
    rows: list[PenaltyRow] = []
    seen: dict[Key, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            fields = [f.strip() for f in split_fields(line)]
        except MalformedLineError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        if len(fields) != len(HEADER):
            problems.append(Problem(number, f"{len(fields)} fields, expected {len(HEADER)}"))
            continue
        values = dict(zip(HEADER, fields, strict=True))
        row_problems: list[Problem] = []
        for column, value in values.items():
            if CONTROL_CHARACTERS.search(value):
                row_problems.append(Problem(number, "control character in the field", column))

        def bad(
            column: str, message: str, *, _n: int = number, _p: list[Problem] = row_problems
        ) -> None:
            _p.append(Problem(_n, message, column))

        natinf = int(values["natinf"]) if values["natinf"].isdigit() else 0
        if natinf <= 0:
            bad("natinf", "not a NATINF number")
        elif natinf not in known_codes:
            bad("natinf", f"NATINF {natinf} is unknown: import the NATINF file first")
        category = values["categorie"]
        if category not in CATEGORIES:
            bad("categorie", f"'{category}' is not one of {', '.join(CATEGORIES)}")
        kind = values["peine"]
        if not _KIND.match(kind):
            bad("peine", "must be a lower-case identifier such as 'emprisonnement'")
        elif category == "principale" and kind not in PRINCIPAL_KINDS:
            bad("peine", f"a principal penalty is one of {', '.join(PRINCIPAL_KINDS)}")
        months = None
        if values["duree_max_mois"]:
            if values["duree_max_mois"].isdigit() and int(values["duree_max_mois"]) > 0:
                months = int(values["duree_max_mois"])
            else:
                bad("duree_max_mois", "must be a positive whole number of months")
        life = values["perpetuite"] == "oui"
        if values["perpetuite"] not in ("oui", "non", ""):
            bad("perpetuite", "must be 'oui', 'non' or empty")
        amount = None
        if values["amende_max_eur"]:
            if _AMOUNT.match(values["amende_max_eur"]):
                try:
                    amount = Decimal(values["amende_max_eur"])
                except InvalidOperation:
                    bad("amende_max_eur", "not an amount")
            else:
                bad("amende_max_eur", "must be an amount in euros such as 45000 or 1500.50")
        if kind in CUSTODIAL and months is None and not life:
            bad("duree_max_mois", f"'{kind}' needs a maximum duration or perpetuite=oui")
        if kind == "amende" and amount is None:
            bad("amende_max_eur", "'amende' needs a maximum amount")
        for column in ("libelle", "article", "citation", "source"):
            if not values[column]:
                bad(column, "required: every penalty cites its article, wording and source")
        valid_from = valid_to = None
        try:
            valid_from = _date(values["en_vigueur_depuis"])
        except ValueError:
            bad("en_vigueur_depuis", "must be a date YYYY-MM-DD")
        if values["en_vigueur_jusqu_au"]:
            try:
                valid_to = _date(values["en_vigueur_jusqu_au"])
            except ValueError:
                bad("en_vigueur_jusqu_au", "must be a date YYYY-MM-DD or empty")
        if valid_from and valid_to and valid_to <= valid_from:
            bad("en_vigueur_jusqu_au", "must be after en_vigueur_depuis")
        if row_problems or valid_from is None:
            problems.extend(row_problems)
            continue
        row = PenaltyRow(
            line=number,
            natinf=natinf,
            category=category,
            kind=kind,
            label=values["libelle"],
            max_months=months,
            life=life,
            max_amount_eur=amount,
            article=values["article"],
            citation=values["citation"],
            valid_from=valid_from,
            valid_to=valid_to,
            source=values["source"],
        )
        if row.key in seen:
            problems.append(
                Problem(
                    number,
                    f"duplicate penalty: same code, penalty and date as line {seen[row.key]}",
                )
            )
            continue
        seen[row.key] = number
        rows.append(row)
    if not problems and not rows:
        problems.append(Problem(1, "the file has a header but no penalty"))
    return rows, problems


def _version_fields(version: PenaltyVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in FIELDS}


def _key(version: PenaltyVersion) -> Key:
    return (version.natinf, version.category, version.kind, version.valid_from)


def import_penalties(
    session: Session,
    data: bytes,
    *,
    published_on: date,
    store: BulkStore,
    source_name: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    known = repo.known_natinf_codes(session)
    rows, problems = parse_penalties(data, known)
    if problems:
        raise ImportRejectedError(problems, encoding="utf-8")
    latest = begin_dataset_write(session, PENALTIES_DATASET)
    current = {_key(v): v for v in repo.current_penalties(session)}
    old_state = {key: _version_fields(v) for key, v in current.items()}
    new_state = {row.key: row.fields() for row in rows}
    diff = diff_states(old_state, new_state)
    if diff.is_empty:
        return ImportSummary.nothing_new(latest, diff.unchanged).as_dict()
    check_publication_order(latest, published_on)
    counts = ReleaseCounts.of(diff)
    release = create_release(
        session,
        dataset=PENALTIES_DATASET,
        published_on=published_on,
        counts=counts,
        changelog=summarise(counts),
        source_name=file_label(source_name),
        source_sha256=sha256_hex(data),
        source_details={"rows": len(rows)},
        now=now,
    )
    repo.retire_penalties(
        session,
        [current[key].id for key in (*diff.changed, *diff.retired)],
        retired_in=release.id,
    )
    by_key = {row.key: row for row in rows}
    repo.insert_penalties(
        session,
        [
            {
                "natinf": key[0],
                "category": key[1],
                "kind": key[2],
                "valid_from": key[3],
                **by_key[key].fields(),
                "introduced_in": release.id,
                "retired_in": None,
            }
            for key in (*diff.added, *diff.changed)
        ],
    )
    session.flush()
    write_penalty_files(session, release, store)
    return ImportSummary.published(release, counts).as_dict()


def render_penalties_csv(versions: list[PenaltyVersion]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for v in versions:
        writer.writerow(
            [
                v.natinf,
                v.category,
                v.kind,
                v.label,
                v.max_months or "",
                "oui" if v.life else "non",
                _amount_text(v.max_amount_eur),
                v.article,
                v.citation,
                v.valid_from.isoformat(),
                v.valid_to.isoformat() if v.valid_to else "",
                v.source,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _amount_text(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    normalized = amount.quantize(Decimal("0.01"))
    return f"{normalized:f}".removesuffix(".00")


def penalty_dict(v: PenaltyVersion | PenaltyRecord) -> dict[str, Any]:
    return {
        "natinf": v.natinf,
        "category": v.category,
        "kind": v.kind,
        "label": v.label,
        "max_months": v.max_months,
        "life": v.life,
        "max_amount_eur": float(v.max_amount_eur) if v.max_amount_eur is not None else None,
        "recidivism_max_amount_eur": None,
        "contravention_class": None,
        "article": v.article,
        "citation": v.citation,
        "valid_from": v.valid_from.isoformat(),
        "valid_to": v.valid_to.isoformat() if v.valid_to else None,
        "source": v.source,
        "derived": False,
    }


def build_penalty_files(session: Session, release: Release) -> dict[str, bytes]:
    """The bulk files of a penalties release (deterministic: same release, same bytes)."""
    import orjson

    versions = list(repo.penalties_in_release(session, release))
    return {
        "penalties.csv": render_penalties_csv(versions),
        "penalties.json": orjson.dumps(
            {
                "dataset": release.dataset,
                "release": release.id,
                "published_on": release.published_on.isoformat(),
                "count": len(versions),
                "penalties": [penalty_dict(v) for v in versions],
            },
            option=orjson.OPT_APPEND_NEWLINE,
        ),
    }


PENALTY_MEDIA_TYPES = {
    "penalties.csv": "text/csv; charset=utf-8",
    "penalties.json": "application/json",
}


def write_penalty_files(session: Session, release: Release, store: BulkStore) -> None:
    files = []
    for name, payload in build_penalty_files(session, release).items():
        stored = store.put(payload, PurePath(name).suffix)
        files.append(
            ReleaseFile(
                release_id=release.id,
                name=name,
                media_type=PENALTY_MEDIA_TYPES[name],
                sha256=stored.sha256,
                size_bytes=stored.size,
            )
        )
    releases_repo.add_release_files(session, files)
