"""Speed of the synthetic population generator.

Targets (issue 3): a population of 5,000 persons in under 2 s (what the registry demo and the
tests ask for, reading the name and commune files included), and 1,000,000 records generated
and written in "a few minutes" (we hold it to 300 s) on the project's 2-core machine.

    flock /tmp/srj-heavy.lock .venv/bin/python benchmarks/synth_speed.py
    .venv/bin/python benchmarks/synth_speed.py --records 100000   # quicker, same targets scaled

Prints the figures with PASS/FAIL and writes benchmarks/out/synth_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

SMALL_PERSONS = 5_000
SMALL_TARGET_S = 2.0
LARGE_TARGET_S_PER_MILLION = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    c0 = time.process_time()
    t0 = time.perf_counter()
    from matching.synthetic import generate, write
    from matching.synthetic.reference import load_reference

    load_reference()
    t_ref = time.perf_counter() - t0
    t1 = time.perf_counter()
    small = generate(persons=SMALL_PERSONS, seed=args.seed)
    t_small = time.perf_counter() - t1
    small_total = t_ref + t_small
    small_cpu = time.process_time() - c0

    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def stage(name: str) -> None:
        now = time.perf_counter()
        stages[f"before_{name}"] = now - last[0]
        last[0] = now

    out = Path(tempfile.mkdtemp(prefix="synth-bench-")) / "pop"
    cpu0 = time.process_time()
    t2 = time.perf_counter()
    large = generate(records=args.records, seed=args.seed, progress=stage)
    t_gen = time.perf_counter() - t2
    t3 = time.perf_counter()
    write(large, out, csv=False)
    t_write = time.perf_counter() - t3
    shutil.rmtree(out.parent, ignore_errors=True)
    large_total = t_gen + t_write
    large_cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    large_target = LARGE_TARGET_S_PER_MILLION * args.records / 1_000_000

    results = {
        "benchmark": "synth_speed",
        "seed": args.seed,
        "small": {
            "persons": SMALL_PERSONS,
            "records": small.n_records,
            "load_reference_s": round(t_ref, 3),
            "generate_s": round(t_small, 3),
            "total_s": round(small_total, 3),
            "cpu_s": round(small_cpu, 3),
            "target_s": SMALL_TARGET_S,
            "pass": small_total < SMALL_TARGET_S,
        },
        "large": {
            "records": large.n_records,
            "persons": large.n_persons,
            "generate_s": round(t_gen, 1),
            "write_s": round(t_write, 1),
            "total_s": round(large_total, 1),
            "cpu_s": round(large_cpu, 1),
            "records_per_s": round(large.n_records / large_total),
            "target_s": large_target,
            "pass": large_total < large_target,
        },
        "peak_rss_mb": round(peak_mb),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_end": os.getloadavg(),
        },
    }
    s, big = results["small"], results["large"]
    print(
        f"5,000 persons ({s['records']:,} records): {s['total_s']:.2f} s wall, "
        f"{s['cpu_s']:.2f} s CPU (reading inputs {s['load_reference_s']:.2f} s) — "
        f"target < {SMALL_TARGET_S} s: "
        f"{'PASS' if s['pass'] else 'FAIL'}"
    )
    print(
        f"{big['records']:,} records ({big['persons']:,} persons): generate {big['generate_s']} s"
        f" + write {big['write_s']} s = {big['total_s']} s wall, {big['cpu_s']} s CPU"
        f" ({big['records_per_s']:,} records/s)"
        f" — target < {large_target:.0f} s: {'PASS' if big['pass'] else 'FAIL'}"
    )
    print(f"peak memory: {results['peak_rss_mb']:,} MB; load average {os.getloadavg()}")
    out_dir = Path(__file__).resolve().parent / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "synth_speed.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0 if s["pass"] and big["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
