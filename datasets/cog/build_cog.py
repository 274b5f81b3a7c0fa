"""Rebuild communes.csv and departements.csv from the npm package @etalab/decoupage-administratif.

    npm pack @etalab/decoupage-administratif@6.0.0
    tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python datasets/cog/build_cog.py package/data datasets/cog

The package republishes INSEE's Code officiel géographique (COG 2026) under the Licence Ouverte.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def main(src: Path, out: Path) -> None:
    communes = json.loads((src / "communes.json").read_text(encoding="utf-8"))
    with (out / "communes.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ["code_insee", "nom", "type", "departement", "region", "commune_parente",
             "anciens_codes", "codes_postaux", "population", "zone"]
        )
        for c in sorted(communes, key=lambda c: (c["code"], c["type"])):
            writer.writerow(
                [
                    c["code"],
                    c["nom"],
                    c["type"],
                    c.get("departement", ""),
                    c.get("region", ""),
                    c.get("commune") or c.get("chefLieu", ""),
                    "|".join(c.get("anciensCodes", [])),
                    "|".join(c.get("codesPostaux", [])),
                    c.get("population", ""),
                    c.get("zone", ""),
                ]
            )
    departements = json.loads((src / "departements.json").read_text(encoding="utf-8"))
    with (out / "departements.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "nom", "region", "chef_lieu", "zone"])
        for d in sorted(departements, key=lambda d: d["code"]):
            writer.writerow([d["code"], d["nom"], d["region"], d["chefLieu"], d["zone"]])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
