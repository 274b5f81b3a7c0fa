"""Compare the law dataset with the programme's reference sample of penalties.

``sentences_real.csv`` (in the programme's shared reference samples, outside this repository;
its README: "text from a ~2015 mirror of the codes") gives, for 35 offences, the article, its
verbatim penalty sentence, the maximum prison term and fine, and the commit of
etalab/codes-juridiques-francais it was read at — the corpus this dataset is built from. For
each row this script finds the statement of the dataset read from that sentence (in the
article version the sample's commit holds), compares the maxima, and for rows the sample flags
"KNOWN LATER CHANGE" lists every version the dataset holds with its dates.

It writes ``reference_sample_check.csv`` (one line per sample row: article, what the sample
says, what the dataset says, verdict) — the committed record of the comparison — and exits
non-zero on any disagreement. The sample itself is not copied here.

    .venv/bin/python datasets/penalties_law/check_reference_sample.py \
        [/work/shared/reference-samples/sentences_real.csv]
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SAMPLE = Path("/work/shared/reference-samples/sentences_real.csv")
CODES = {
    "Code pénal": "code-penal",
    "Code de la route": "code-de-la-route",
    "Code du travail": "code-du-travail",
}
OUTPUT = HERE / "reference_sample_check.csv"


def _words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("’", "'").split())


def _months(value: str) -> tuple[int | None, bool]:
    value = value.strip()
    if not value:
        return None, False
    if value == "perpétuité":
        return None, True
    number, unit = value.split()
    return (int(number) * (12 if unit.startswith("an") else 1)), False


def main(argv: list[str]) -> int:
    sample_path = Path(argv[0]) if argv else DEFAULT_SAMPLE
    sample = list(csv.DictReader(sample_path.open(encoding="utf-8")))
    penalties = list(
        csv.DictReader(io.StringIO((HERE / "penalties.csv").read_text("utf-8")), delimiter=";")
    )
    manifest_commit = re.search(
        r'"commit": "([0-9a-f]{40})"', (HERE / "manifest.json").read_text("utf-8")
    )
    assert manifest_commit is not None
    known = re.search(r'"corpus_known_until": "([0-9-]{10})"', (HERE / "manifest.json").read_text())
    assert known is not None
    known_until = known.group(1)
    by_article: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in penalties:
        by_article[(row["code"], row["article"])].append(row)

    out = []
    failures = 0
    for row in sample:
        code = CODES[row["code"]]
        article = row["article"]
        if row["source_commit"] != manifest_commit.group(1):
            raise SystemExit(f"{article}: sample read at another commit ({row['source_commit']})")
        rows = by_article[(code, article)]
        # The version the sample's commit holds: the dataset's open (latest) version.
        latest = [r for r in rows if not r["valid_to"]]
        wanted = _words(row["penalty_sentence_verbatim"])
        statements: dict[str, list[dict[str, str]]] = defaultdict(list)
        for r in latest:
            if wanted in _words(r["sentence"]):
                statements[r["statement"]].append(r)
        expected_months, expected_life = _months(row["max_prison"])
        expected_fine = row["max_fine_eur"] or ""
        found = []
        for number, items in sorted(statements.items()):
            custodial = [i for i in items if i["kind"] != "amende"]
            fines = [i for i in items if i["kind"] == "amende"]
            months = (
                int(custodial[0]["max_months"])
                if custodial and custodial[0]["max_months"]
                else None
            )
            life = bool(custodial and custodial[0]["life"] == "oui")
            fine = fines[0]["amount"] if fines else ""
            currency = fines[0]["currency"] if fines else ""
            found.append((number, months, life, fine, items[0], currency))
        agree = len(found) == 1 and found[0][1:4] == (expected_months, expected_life, expected_fine)
        later = "KNOWN LATER CHANGE" in row["notes"]
        versions = ""
        if later:
            seen = {}
            for r in rows:
                if r["alinea"] == (found[0][4]["alinea"] if found else "1"):
                    key = (r["version"], r["valid_from"], r["valid_to"])
                    life = "perpétuité" if r["life"] == "oui" else ""
                    seen.setdefault(key, []).append(
                        f"{r['kind']} {r['max_months'] or ''}{life}{r['amount']} "
                        f"{r['currency']}".strip()
                    )
            versions = " | ".join(
                f"v{v} {start} -> {end or 'still in force at the end of the corpus'}: "
                + ", ".join(items)
                for (v, start, end), items in sorted(seen.items())
            )
        if not agree:
            failures += 1
        out.append(
            {
                "code": code,
                "article": article,
                "sample_prison": row["max_prison"],
                "sample_fine_eur": expected_fine,
                "dataset_statement": "; ".join(
                    f"alinéa {f[4]['alinea']}: "
                    + ("perpétuité" if f[2] else f"{f[1]} mois" if f[1] else "no prison")
                    + (f", fine {f[3]} {f[5]}" if f[3] else ", no fine")
                    for f in found
                )
                or "no statement read from that sentence",
                "verdict": "agrees" if agree else "DIFFERS",
                "known_later_change": "yes" if later else "",
                "dataset_versions": versions,
                "note": (
                    "the later change the sample mentions is after the corpus (texts up to "
                    f"{known_until}): the dataset holds the versions above and the service "
                    f"says that dates after {known_until} are not covered"
                    if later
                    else ""
                ),
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(out[0]), delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(out)
    OUTPUT.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"{len(out) - failures} of {len(out)} rows agree; written to {OUTPUT.name}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
