"""Speed of ``GET /v1/courts?code_commune=`` (and ``GET /v1/communes/{code}``) over HTTP.

    .venv/bin/python benchmarks/courts_bench.py                       # defaults below
    .venv/bin/python benchmarks/courts_bench.py --requests 4000 --clients 4 --workers 2

Builds a fresh SQLite database with the COG, the courts and the tariffs, starts ``srj serve``
in a separate process on loopback, and drives it from this process: a latency phase (one
connection, one request at a time) and a throughput phase (``--clients`` client processes,
each with a keep-alive connection).
Codes are drawn from every kind the endpoint resolves (current communes, délégués,
arrondissements, merged codes). Targets are those of an offence lookup (issue 2): p99 <= 5 ms
and >= 1,500 requests/s. Prints PASS/FAIL and writes ``benchmarks/out/courts_bench.json``.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import multiprocessing
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "courts_bench.json"
TARGET_P99_MS = 5.0
TARGET_RPS = 1500.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _codes(seed: int) -> list[str]:
    with (ROOT / "datasets" / "cog" / "communes.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["zone"] in ("metro", "drom")]
    current = [r["code_insee"] for r in rows if r["type"] == "commune-actuelle"]
    others = [r["code_insee"] for r in rows if r["type"] != "commune-actuelle"]
    merged = [c for r in rows for c in r["anciens_codes"].split("|") if c]
    rng = random.Random(seed)
    # Mostly current communes, as in real traffic, with every other kind represented.
    return [
        rng.choice(current)
        if rng.random() < 0.7
        else rng.choice(others if rng.random() < 0.5 else merged)
        for _ in range(5000)
    ]


def _prepare(db_url: str) -> None:
    env = {**os.environ, "SRJ_DATABASE_URL": db_url}
    subprocess.run(
        [sys.executable, "-m", "entrypoint.cli", "db", "upgrade"],
        check=True,
        env=env,
        capture_output=True,
    )
    for command in ("import-cog", "import-courts", "import-tariffs"):
        subprocess.run(
            [sys.executable, "-m", "entrypoint.cli", "refdata", command],
            check=True,
            env=env,
            capture_output=True,
        )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _latency(base: str, paths: list[str]) -> list[float]:
    timings = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for path in paths:
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    return timings


def _client(args: tuple[str, int, list[str]]) -> int:
    """One client process: a keep-alive connection, requests one after the other."""
    host, port, paths = args
    connection = http.client.HTTPConnection(host, port, timeout=30)
    errors = 0
    for path in paths:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
    connection.close()
    return errors


def _throughput(port: int, paths: list[str], clients: int) -> tuple[float, int]:
    """Requests per second with ``clients`` processes (a Python client is the bottleneck
    long before the server if it runs in one process)."""
    shares = [("127.0.0.1", port, paths[i::clients]) for i in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(_client, [("127.0.0.1", port, paths[:5])] * clients)  # start the processes
        start = time.perf_counter()
        errors = sum(pool.map(_client, shares))
        elapsed = time.perf_counter() - start
    return len(paths) / elapsed, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="srj-courts-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'srj.db'}"
        started = time.perf_counter()
        _prepare(db_url)
        load_seconds = time.perf_counter() - started
        port = _free_port()
        env = {
            **os.environ,
            "SRJ_DATABASE_URL": db_url,
            "SRJ_DATA_DIR": str(Path(tmp) / "var"),
            "SRJ_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "entrypoint.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.time() > deadline:
                    raise SystemExit("the server did not become ready within 60 s")
                time.sleep(0.2)
            codes = _codes(args.seed)
            courts = [f"/v1/courts?code_commune={c}" for c in codes]
            communes = [f"/v1/communes/{c}" for c in codes]
            _latency(base, courts[:300])  # warm up both workers' connections and caches
            results = {}
            for name, paths in (("courts_by_commune", courts), ("commune_resolution", communes)):
                timings = _latency(base, paths[: args.requests])
                rps, errors = _throughput(port, (paths * 3)[: args.requests * 2], args.clients)
                results[name] = {
                    "requests": len(timings),
                    "p50_ms": round(statistics.median(timings), 3),
                    "p95_ms": round(_percentile(timings, 0.95), 3),
                    "p99_ms": round(_percentile(timings, 0.99), 3),
                    "throughput_rps": round(rps, 1),
                    "throughput_errors": errors,
                    "client_processes": args.clients,
                }
        finally:
            server.terminate()
            server.wait(timeout=30)

    verdict = {
        "p99 <= 5 ms": results["courts_by_commune"]["p99_ms"] <= TARGET_P99_MS,
        ">= 1500 req/s": results["courts_by_commune"]["throughput_rps"] >= TARGET_RPS,
    }
    report = {
        "benchmark": "courts_by_commune",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "database": "sqlite",
        "server_workers": args.workers,
        "load_seconds": round(load_seconds, 2),
        "results": results,
        "targets": {"p99_ms": TARGET_P99_MS, "throughput_rps": TARGET_RPS},
        "verdict": {k: "PASS" if ok else "FAIL" for k, ok in verdict.items()},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"data load (COG + courts + tariffs, CLI): {load_seconds:.1f} s")
    for name, r in results.items():
        print(
            f"{name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms "
            f"(one connection); {r['throughput_rps']} req/s with {r['client_processes']} client "
            "processes "
            f"({r['throughput_errors']} errors)"
        )
    for name, ok in verdict.items():
        print(f"courts_by_commune {name}: {'PASS' if ok else 'FAIL'}")
    print(f"written {OUT.relative_to(ROOT)}")
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
