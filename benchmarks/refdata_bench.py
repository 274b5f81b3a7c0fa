"""Reference-data benchmark: import, lookup, search and download against ``srj serve``.

One command (run it under the shared lock, it keeps both cores busy for a minute or two)::

    flock /tmp/srj-heavy.lock .venv/bin/python benchmarks/refdata_bench.py

What it does:

1. Builds a NATINF file of ~17,000 codes: the 198 curated codes of ``datasets/natinf`` plus
   synthetic codes made from them (numbered 900001+, qualification suffixed "SYNTHETIQUE
   BENCH n"). The synthetic rows exist only in the file and the temporary benchmark database.
2. Imports it through the service (``import_natinf``, one transaction, bulk files included) and
   through the CLI (``srj refdata import-natinf``, process start-up included) into a fresh
   database: target <= 10 s.
3. Starts ``srj serve --workers 2`` on loopback and drives it from a separate process with a
   small asyncio HTTP/1.1 keep-alive client:
   - lookups ``GET /v1/offences/{natinf}``: maximum throughput (closed loop, 16 connections),
     then latency at a fixed arrival rate of 1,500 req/s (open loop) — targets >= 1,500 req/s
     and p99 <= 5 ms; the first pass over every code (cold caches) is reported too;
   - searches ``GET /v1/offences?q=...`` at 200 req/s: target p99 <= 20 ms;
   - the bulk CSV download (precomputed file, gzip): reported.
4. Prints the figures with PASS/FAIL and writes ``benchmarks/out/refdata_bench.json``.

Options: ``--codes N`` (default 17,000), ``--database-url URL`` (default: SQLite in a temporary
directory; a PostgreSQL URL must name an existing empty database), ``--duration S``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
CURATED = ROOT / "datasets" / "natinf" / "natinf.csv"
SYNTHETIC_FIRST = 900_001
TARGETS = {
    "import_seconds": 10.0,
    "lookup_rps": 1500.0,
    "lookup_p99_ms": 5.0,
    "search_p99_ms": 20.0,
}
SEARCHES = [
    "stationnement",
    "vehicule sans permis",
    "peche lac leman",
    "refus de priorite",
    "transport marchandises",
    "stupefiants",
    "circulation vehicule moteur",
    "navigation eaux interieures",
    "chasse",
    "arme",
    "assurance",
    "peche nuit",
    "conduite alcool",
    "pneumatique",
    "immatriculation",
    "fumer transport",
    "ambroisie",
    "repos journalier",
    "pension alimentaire",
    "taxi visite technique",
]


# --- data -------------------------------------------------------------------------------------


def build_file(total: int) -> tuple[bytes, list[int]]:
    from refdata.natinf.official_file import parse, render_csv

    curated = parse(CURATED.read_bytes()).rows
    rows: list[tuple[int, str | None, str, str, str]] = [
        (
            r.natinf,
            r.nature.label if r.nature else None,
            r.qualification,
            r.defined_by,
            r.repressed_by,
        )
        for r in curated
    ]
    for i in range(total - len(rows)):
        base = curated[i % len(curated)]
        suffix = f" - SYNTHETIQUE BENCH {i + 1}"
        rows.append(
            (
                SYNTHETIC_FIRST + i,
                base.nature.label if base.nature else None,
                base.qualification[: 255 - len(suffix)] + suffix,
                base.defined_by,
                base.repressed_by,
            )
        )
    return render_csv(rows).encode("cp1252"), [r[0] for r in rows]


def fresh_database(url: str | None, workdir: Path) -> str:
    from srj.schema import upgrade

    database_url = url or f"sqlite:///{workdir / 'bench.db'}"
    upgrade(database_url)
    return database_url


def time_service_import(database_url: str, data: bytes, data_dir: Path) -> float:
    from refdata.natinf.service import import_natinf
    from refdata.releases.storage import BulkStore
    from srj.db import make_engine, make_session_factory, session_scope

    engine = make_engine(database_url)
    factory = make_session_factory(engine, write=True)
    start = time.perf_counter()
    with session_scope(factory) as session:
        summary = import_natinf(
            session,
            data,
            published_on=date(2026, 10, 1),
            store=BulkStore(data_dir / "downloads"),
            source_name="bench.csv",
        )
    elapsed = time.perf_counter() - start
    engine.dispose()
    assert summary.added > 0, summary
    return elapsed


def time_cli_import(database_url: str, path: Path, data_dir: Path) -> tuple[float, dict[str, Any]]:
    env = {**os.environ, "SRJ_DATABASE_URL": database_url, "SRJ_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from entrypoint.cli import main; main()",
            "refdata",
            "import-natinf",
            str(path),
            "--published-on",
            "2026-10-01",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, json.loads(result.stdout)


# --- server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    database_url: str, data_dir: Path, port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SRJ_DATABASE_URL": database_url,
        "SRJ_DATA_DIR": str(data_dir),
        "SRJ_LOG_JSON": "true",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from entrypoint.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"GET /ready HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if b" 200 " in conn.recv(200):
                    return process
        except OSError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not become ready; see {log}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# --- load generator (runs in its own process) ---------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def get(self, path: str, headers: str = "") -> tuple[int, int]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n".encode())
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return status, len(body)


async def closed_loop(
    port: int, paths: list[str], connections: int, duration: float
) -> dict[str, Any]:
    conns = [await Connection.open(port) for _ in range(connections)]
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration

    async def worker(conn: Connection, seed: int) -> None:
        nonlocal errors
        rnd = random.Random(seed)
        while time.perf_counter() < stop:
            path = rnd.choice(paths)
            t0 = time.perf_counter()
            status, _ = await conn.get(path)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(c, i) for i, c in enumerate(conns)))
    elapsed = time.perf_counter() - start
    for c in conns:
        c.writer.close()
    return summarise(latencies, elapsed, errors)


async def open_loop(
    port: int, paths: list[str], rate: float, duration: float, pool: int
) -> dict[str, Any]:
    """Requests start on a fixed schedule (``rate`` per second) whatever the server's pace."""
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(pool):
        free.put_nowait(await Connection.open(port))
    latencies: list[float] = []
    errors = 0
    rnd = random.Random(7)
    tasks = []

    async def one(path: str, scheduled: float) -> None:
        nonlocal errors
        conn = await free.get()
        status, _ = await conn.get(path)
        # Latency counted from the scheduled start: queueing delay included (no coordinated
        # omission).
        latencies.append(time.perf_counter() - scheduled)
        if status != 200:
            errors += 1
        free.put_nowait(conn)

    start = time.perf_counter()
    total = int(rate * duration)
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(rnd.choice(paths), scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not free.empty():
        free.get_nowait().writer.close()
    return summarise(latencies, elapsed, errors)


def summarise(latencies: list[float], elapsed: float, errors: int) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 3)

    return {
        "requests": len(ordered),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1] * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
    }


async def drive(port: int, codes: list[int], duration: float) -> dict[str, Any]:
    lookups = [f"/v1/offences/{c}" for c in codes]
    results: dict[str, Any] = {}
    # Cold: every code once, caches empty (each worker fills its own).
    shuffled = random.Random(1).sample(lookups, len(lookups))
    results["lookup_cold"] = await closed_loop_sequence(port, shuffled, connections=8)
    results["lookup_throughput"] = await closed_loop(
        port, lookups, connections=16, duration=duration
    )
    results["lookup_at_1500_rps"] = await open_loop(
        port, lookups, rate=1500, duration=duration, pool=64
    )
    searches = [f"/v1/offences?q={q.replace(' ', '+')}" for q in SEARCHES]
    # Build the index in each worker (connections are spread over both by the kernel).
    await closed_loop(port, searches, connections=16, duration=3.0)
    results["search_at_200_rps"] = await open_loop(
        port, searches, rate=200, duration=duration, pool=16
    )
    results["download"] = await download(port)
    return results


async def closed_loop_sequence(port: int, paths: list[str], connections: int) -> dict[str, Any]:
    conns = [await Connection.open(port) for _ in range(connections)]
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)

    async def worker(conn: Connection) -> None:
        nonlocal errors
        while not queue.empty():
            path = queue.get_nowait()
            t0 = time.perf_counter()
            status, _ = await conn.get(path)
            latencies.append(time.perf_counter() - t0)
            errors += status != 200

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.perf_counter() - start
    for c in conns:
        c.writer.close()
    return summarise(latencies, elapsed, errors)


async def download(port: int) -> dict[str, Any]:
    conn = await Connection.open(port)
    out: dict[str, Any] = {}
    for label, headers in (("identity", ""), ("gzip", "Accept-Encoding: gzip\r\n")):
        times = []
        size = 0
        for _ in range(10):
            t0 = time.perf_counter()
            status, size = await conn.get("/v1/downloads/latest/offences.csv", headers)
            times.append(time.perf_counter() - t0)
            assert status == 200, status
        out[label] = {"bytes": size, "median_ms": round(statistics.median(times) * 1000, 2)}
    conn.writer.close()
    return out


def driver_process(port: int, codes: list[int], duration: float, queue: Any) -> None:
    queue.put(asyncio.run(drive(port, codes, duration)))


def server_durations(log: Path) -> dict[str, Any]:
    """Per-route durations the server itself measured (its access log): separates server time
    from client and scheduling delays."""
    by_route: dict[str, list[float]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"srj.access"' not in line:
            continue
        entry = json.loads(line)
        by_route.setdefault(entry.get("route", "?"), []).append(float(entry["duration_ms"]))
    out = {}
    for route, values in by_route.items():
        values.sort()
        out[route] = {
            "requests": len(values),
            "p50": values[len(values) // 2],
            "p99": values[min(len(values) - 1, int(0.99 * len(values)))],
            "max": values[-1],
        }
    return out


def wait_for(driver: Any, queue: Any) -> dict[str, Any]:
    """The driver's results; fails fast if the driver process dies."""
    from queue import Empty

    deadline = time.time() + 900
    while time.time() < deadline:
        try:
            result: dict[str, Any] = queue.get(timeout=2)
            return result
        except Empty:
            if not driver.is_alive():
                raise RuntimeError(f"load driver exited with code {driver.exitcode}") from None
    driver.kill()
    raise RuntimeError("load driver timed out")


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--codes", type=int, default=17_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="srj-refdata-bench-"))
    report: dict[str, Any] = {
        "benchmark": "refdata",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
            "note": "other sessions share this machine: see the load averages",
        },
        "codes": args.codes,
        "targets": TARGETS,
    }
    try:
        data, codes = build_file(args.codes)
        path = workdir / "natinf-bench.csv"
        path.write_bytes(data)
        report["file_bytes"] = len(data)

        print(f"importing {len(codes)} codes (service)…", flush=True)
        url = fresh_database(args.database_url, workdir / "service")
        report["database"] = url.split(":", 1)[0]
        report["import_service_seconds"] = round(time_service_import(url, data, workdir / "var"), 2)
        if args.database_url is None:
            print("importing again through the CLI into an empty database…", flush=True)
            cli_url = fresh_database(None, workdir / "cli")
            seconds, summary = time_cli_import(cli_url, path, workdir / "var-cli")
            report["import_cli_seconds"] = round(seconds, 2)
            report["import_cli_summary"] = summary

        port = free_port()
        print(f"serving on 127.0.0.1:{port} with 2 workers…", flush=True)
        server = start_server(url, workdir / "var", port, workdir / "server.log")
        try:
            ctx = get_context("spawn")
            queue = ctx.Queue()
            driver = ctx.Process(target=driver_process, args=(port, codes, args.duration, queue))
            driver.start()
            report["http"] = wait_for(driver, queue)
            driver.join()
        finally:
            stop_server(server)
        report["server_side_ms"] = server_durations(workdir / "server.log")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    http = report["http"]
    checks = {
        "import <= 10 s": report["import_service_seconds"] <= TARGETS["import_seconds"],
        "lookup >= 1500 req/s": http["lookup_throughput"]["rps"] >= TARGETS["lookup_rps"],
        "lookup p99 <= 5 ms at 1500 req/s": http["lookup_at_1500_rps"]["p99_ms"]
        <= TARGETS["lookup_p99_ms"],
        "search p99 <= 20 ms": http["search_at_200_rps"]["p99_ms"] <= TARGETS["search_p99_ms"],
        "no HTTP errors": all(
            http[k]["errors"] == 0
            for k in ("lookup_cold", "lookup_throughput", "lookup_at_1500_rps", "search_at_200_rps")
        ),
    }
    report["checks"] = checks
    report["machine"]["load_average_at_end"] = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "refdata_bench.json").write_text(json.dumps(report, indent=2))

    print(
        json.dumps({k: v for k, v in report.items() if k not in ("http",)}, indent=2, default=str)
    )
    print(json.dumps(http, indent=2))
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
