"""Draw the random sample of articles read by hand against the parsed penalties, and show them.

The sample is drawn from ``coverage.csv`` (the articles of the coverage target that contain
"puni" or "peine", in their version in force at the end of the corpus) with a fixed seed:
``ARTICLES_WITH_PENALTIES`` among those whose penalties were read (wholly or partly) and
``ARTICLES_WITHOUT`` among those classed as stating no principal penalty (to check that none
was missed). For each, every version the dataset holds is shown: its dates, the verbatim
alinéas with penalty words, and what the dataset read from each (``penalties.csv``) or left
unread (``unresolved.csv``). The reader's verdicts are in ``hand_check.csv``.

    .venv/bin/python datasets/penalties_law/hand_check_sample.py            # print the sample
    .venv/bin/python datasets/penalties_law/hand_check_sample.py --list     # codes/articles only
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from refdata.law.dataset import parse_versions  # noqa: E402

SEED = 20261212
ARTICLES_WITH_PENALTIES = 100
ARTICLES_WITHOUT = 25
_WORDS = re.compile(r"puni|peine|emprisonnement|réclusion|détention criminelle|amende", re.I)


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((HERE / name).read_text("utf-8")), delimiter=";"))


def draw() -> list[dict[str, str]]:
    rows = _csv("coverage.csv")
    with_penalties = [r for r in rows if r["status"] in ("parsed", "partly")]
    without = [r for r in rows if r["status"] == "no_principal_penalty"]
    generator = random.Random(SEED)
    return generator.sample(with_penalties, ARTICLES_WITH_PENALTIES) + generator.sample(
        without, ARTICLES_WITHOUT
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    sample = draw()
    if args.list:
        for row in sample:
            print(row["code"], row["article"], row["status"])
        return 0
    _, records = parse_versions((HERE / "versions.jsonl").read_bytes())
    versions = defaultdict(list)
    for record in records:
        versions[(record["code"], record["article"])].append(record)
    penalties = defaultdict(list)
    for row in _csv("penalties.csv"):
        penalties[(row["code"], row["article"], row["version"])].append(row)
    unresolved = defaultdict(list)
    for row in _csv("unresolved.csv"):
        unresolved[(row["code"], row["article"], row["version"])].append(row)
    for number, row in enumerate(sample, start=1):
        print(f"##### {number}. {row['code']} {row['article']} ({row['status']})")
        for record in versions[(row["code"], row["article"])]:
            key = (record["code"], record["article"], str(record["version"]))
            print(f"  -- v{record['version']} {record['valid_from']} -> {record['valid_to']}")
            for index, text in enumerate(record["alineas"], start=1):
                if _WORDS.search(text):
                    print(f"     al{index}: {text}")
            statements: dict[str, list[str]] = defaultdict(list)
            for p in penalties[key]:
                value = (
                    "perpétuité"
                    if p["life"] == "oui"
                    else f"{p['max_months']} mois"
                    if p["max_months"]
                    else f"{p['amount']} {p['currency']}"
                    if p["amount"]
                    else f"classe {p['contravention_class']}"
                )
                statements[
                    f"st{p['statement']} al{p['alinea']} {p['form']} "
                    f"[{p['valid_from']}..{p['valid_to']}]"
                ].append(f"{p['kind']}={value}")
            for label, items in statements.items():
                print(f"     => {label}: {', '.join(items)}")
            for u in unresolved[key]:
                print(
                    f"     !! al{u['alinea']} [{u['valid_from']}..{u['valid_to']}]: {u['reason']}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
