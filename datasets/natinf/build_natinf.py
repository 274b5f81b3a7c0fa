"""Build the curated NATINF seed (``natinf.csv``) and its provenance from the transcriptions.

Each file of ``transcriptions/`` is a verbatim, tab-separated transcription of rows read in one
public source (see README.md); this script only maps their columns to the official layout:

- ``monitorenv_official.tsv``: rows of the official NATINF extract, already in the official
  layout: copied as they are.
- ``gendtools.tsv``: the ANTAI / gendarmerie table (``Natinf``, ``Classe``, ``Qualification``,
  ``Prevu``, ``Reprime``, ``Date``). ``Prevu`` -> Définie par, ``Reprime`` -> Réprimée par.
  The nature is derived from ``Classe``: 1-5 is the contravention class; 6 is how that table
  marks délits (the codes with amendes forfaitaires délictuelles). Every derived nature is
  flagged as such in the provenance.
- ``monitorfish.tsv``: the fisheries control table (``natinf_code``, ``infraction``,
  ``regulation``). It gives no nature and one mixed ``regulation`` column, so the nature and
  both article columns stay empty (the regulation is kept in the provenance).

When a code appears in several sources, the official extract wins, then GendTools.

Run: ``python datasets/natinf/build_natinf.py`` (writes natinf.csv and provenance.csv).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRANSCRIPTIONS = HERE / "transcriptions"
HEADER = (
    "Numéro NATINF",
    "Nature de l'infraction",
    "Qualification de l'infraction",
    "Définie par",
    "Réprimée par",
)
ORDINALS = {1: "1ère", 2: "2ème", 3: "3ème", 4: "4ème", 5: "5ème"}

SOURCES = {
    "monitorenv_official": {
        "repository": "MTES-MCT/monitorenv",
        "path": "pipeline/tests/test_data/ref_natinfs_csv/ref_natinfs.csv",
        "commit": "d1230bde18fb85996c72463021c162a7d3742319",
        "what": "verbatim excerpt of the official NATINF file (data.gouv.fr)",
    },
    "gendtools": {
        "repository": "palkor/GendTools",
        "path": "GendTools/natinfdb.plist",
        "commit": "b9bc162e34002b0e62005f934905559661467b61",
        "what": "ANTAI / gendarmerie NATINF table, rows dated 2019-2020",
    },
    "monitorfish": {
        "repository": "MTES-MCT/monitorfish",
        "path": "backend/src/main/resources/db/testdata/json/V666.8__Insert_test_infractions.jsonc",
        "commit": "29cf3c4f2b47a9e14943e2183d29b6cd8c6d004d",
        "what": "CNSP fisheries control NATINF table (test data copied from the production table)",
    },
}


def _read(name: str) -> list[dict[str, str]]:
    with (TRANSCRIPTIONS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _nature_from_classe(classe: str) -> str:
    value = int(classe)
    if value == 6:
        return "Délit"
    return f"Contravention de {ORDINALS[value]} classe"


def build() -> tuple[list[tuple[str, ...]], list[dict[str, str]]]:
    rows: dict[int, tuple[str, ...]] = {}
    provenance: dict[int, dict[str, str]] = {}

    def add(code: str, row: tuple[str, ...], source: str, nature_rule: str, extra: str) -> None:
        key = int(code)
        if key in rows:
            return  # an earlier (more authoritative) source already gave this code
        rows[key] = row
        provenance[key] = {
            "natinf": code,
            "source": source,
            **{k: SOURCES[source][k] for k in ("repository", "path", "commit")},
            "nature": nature_rule,
            "source_fields": extra,
        }

    for r in _read("monitorenv_official.tsv"):
        row = tuple(r[h] for h in HEADER)
        add(r[HEADER[0]], row, "monitorenv_official", "verbatim", "")
    for r in _read("gendtools.tsv"):
        row = (
            r["natinf"],
            _nature_from_classe(r["classe"]),
            r["qualification"],
            r["prevu"],
            r["reprime"],
        )
        add(
            r["natinf"],
            row,
            "gendtools",
            f"derived from Classe={r['classe']}",
            f"Classe={r['classe']}; Date={r['date']}",
        )
    for r in _read("monitorfish.tsv"):
        row = (r["natinf_code"], "", r["infraction"], "", "")
        add(
            r["natinf_code"],
            row,
            "monitorfish",
            "not stated in the source",
            f"regulation={r['regulation']}",
        )
    ordered = [rows[k] for k in sorted(rows)]
    return ordered, [provenance[k] for k in sorted(provenance)]


def render(rows: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def main() -> None:
    rows, provenance = build()
    (HERE / "natinf.csv").write_bytes(render(rows))
    with (HERE / "provenance.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "natinf",
                "source",
                "repository",
                "path",
                "commit",
                "nature",
                "source_fields",
            ],
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows(provenance)
    print(f"{len(rows)} codes written to natinf.csv")


if __name__ == "__main__":
    main()
