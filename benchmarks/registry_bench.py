"""The person registry at scale: bulk ingest, online resolution over HTTP, accuracy, Splink ratio.

One command (heavy: take the shared lock)::

    flock /tmp/srj-heavy.lock .venv/bin/python benchmarks/registry_bench.py \
        --registry-records 1000000 --stream 10000 --seed 42

Small run to try it: ``--registry-records 20000 --stream 1000``.

1. Generates M1's synthetic population (ground truth kept); draws ``--stream`` records at random
   to arrive later, the registry gets ``--registry-records`` of the others.
2. Trains the linkage model (M2a's ``matching.model.train``) on the registry records.
3. Creates a PostgreSQL database of its own (``srj_bench_registry``; dropped at the end unless
   ``--keep-db``), migrates it, and bulk-ingests the registry through ``identity.ingest`` (the
   same resolve logic as the API): wall time, records/s, peak memory of this process and of the
   PostgreSQL server processes.
4. Starts ``srj serve`` (``--workers``) on loopback and streams the new records through
   ``POST /v1/records`` from this process with ``--concurrency`` clients: server-side latency
   (the service's own access log: ``duration_ms`` per request, measured around the whole
   request including the commit), client-side latency, throughput.
5. Accuracy of the streamed resolutions against the truth: wrongly linked records (linked to a
   person none of whose other records is the true person) and true matches missed without
   review (the true person was already held, the answer was ``new``, or ``pending_review``
   without a suggestion towards the true person).
6. Splink's own ``predict_between`` (the trained model's settings, DuckDB, term-frequency
   tables of the registry) on a sample of the streamed records against the whole registry, in
   the same run (``--splink-sample`` records at most, none started after ``--splink-seconds``:
   each costs seconds at a million records): time per record and the ratio to the service's
   server-side time.

Prints every figure with PASS/FAIL against the issue's targets and writes
``benchmarks/out/registry_<records>_<seed>.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
import pyarrow as pa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from identity.config import RegistrySettings  # noqa: E402  (after the sys.path fix)
from identity.deps import crypto_for  # noqa: E402
from identity.ingest import ingest  # noqa: E402
from identity.linkage import load_matcher  # noqa: E402
from srj.auth import Role, issue_token  # noqa: E402
from srj.settings import Settings  # noqa: E402

TARGETS = {
    "server_p95_ms_max": 15.0,
    "throughput_min": 200.0,
    "wrongly_linked_max": 0.0005,
    "missed_not_reviewed_max": 0.005,
}
PG_ADMIN_URL = os.environ.get(
    "SRJ_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class MemorySampler:
    """Peak resident memory of some processes, polled from /proc in a thread."""

    def __init__(self, processes: list[psutil.Process], interval: float = 0.1) -> None:
        self.processes = processes
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current(self) -> int:
        total = 0
        for proc in self.processes:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current())
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def postgres_processes() -> list[psutil.Process]:
    out = []
    for proc in psutil.process_iter(["name"]):
        if (proc.info.get("name") or "").startswith("postgres"):
            out.append(proc)
    return out


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else math.nan


# -- 1. population ---------------------------------------------------------------------------


def make_population(
    registry_records: int, stream: int, seed: int
) -> tuple[pa.Table, pa.Table, dict[str, str]]:
    from matching.synthetic import generate

    wanted = registry_records + stream
    probe = generate(2000, seed=seed + 1)
    per_person = probe.records.num_rows / 2000
    persons = math.ceil(wanted / per_person * 1.05)
    while True:
        log(f"generating {persons} persons (~{per_person:.2f} records each)")
        population = generate(persons, seed=seed)
        records = population.records
        if records.num_rows >= wanted:
            break
        persons = math.ceil(persons * wanted / records.num_rows * 1.02)
    truth = dict(
        zip(
            population.truth.column("record_id").to_pylist(),
            population.truth.column("person_id").to_pylist(),
            strict=True,
        )
    )
    rng = np.random.default_rng(seed)
    order = rng.permutation(records.num_rows)
    stream_idx = np.sort(order[:stream])
    registry_idx = np.sort(order[stream : stream + registry_records])
    return records.take(pa.array(registry_idx)), records.take(pa.array(stream_idx)), truth


# -- 3. database -----------------------------------------------------------------------------


def create_database(name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_size(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return int(size)


# -- 4. server and stream --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, workers: int, log_path: Path
) -> subprocess.Popen[bytes]:
    srj = Path(sys.executable).parent / "srj"
    handle = log_path.open("wb")
    proc = subprocess.Popen(
        [str(srj), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: see {log_path}")
        time.sleep(0.5)
    raise SystemExit(f"the server did not become ready: see {log_path}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def stream_records(
    rows: list[dict[str, Any]], port: int, token: str, concurrency: int
) -> tuple[list[dict[str, Any]], float]:
    url = f"http://127.0.0.1:{port}/v1/records"
    headers = {"Authorization": f"Bearer {token}"}
    results: list[dict[str, Any]] = [{} for _ in rows]
    local = threading.local()

    def post(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(headers=headers, timeout=60)
        body = {k: v for k, v in rows[i].items() if v not in (None, "")}
        start = time.perf_counter()
        response = client.post(url, json=body)
        elapsed = (time.perf_counter() - start) * 1000
        results[i] = {
            "status_code": response.status_code,
            "client_ms": elapsed,
            "done_at": time.perf_counter(),
            "body": response.json() if response.status_code == 200 else response.text[:300],
        }

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(post, range(len(rows))))
    return results, time.perf_counter() - start


def server_durations(log_path: Path) -> list[float]:
    durations = []
    for line in log_path.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("route") == "/v1/records" and entry.get("method") == "POST":
            durations.append(float(entry["duration_ms"]))
    return durations


# -- 5. accuracy -----------------------------------------------------------------------------


def accuracy(
    url: str,
    settings: Settings,
    registry: pa.Table,
    stream_rows: list[dict[str, Any]],
    results: list[dict[str, Any]],
    truth: dict[str, str],
) -> dict[str, Any]:
    """Judge each streamed resolution against the ground truth, from the database's links."""
    crypto = crypto_for(settings)
    true_of_ref: dict[tuple[str, bytes], str] = {}
    for table in (registry, pa.Table.from_pylist(stream_rows)):
        for rid, source, ref in zip(
            table.column("record_id").to_pylist(),
            table.column("source").to_pylist(),
            table.column("source_ref").to_pylist(),
            strict=True,
        ):
            true_of_ref[(source, crypto.pseudonymiser.ref_hmac(source, ref))] = truth[rid]
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.id, r.source, r.ref_hmac, l.person_id FROM identity_source_records r "
                "JOIN identity_links l ON l.record_id = r.id"
            )
        ).all()
        suggestions = conn.execute(
            text("SELECT record_id, candidate_record_id FROM identity_match_suggestions")
        ).all()
    engine.dispose()
    true_of_record: dict[Any, str] = {}
    person_of_record: dict[Any, str] = {}
    members: dict[str, list[Any]] = defaultdict(list)
    record_of_ref: dict[tuple[str, bytes], Any] = {}
    for rid, source, ref_hmac, person in rows:
        key = (source, bytes(ref_hmac))
        true_of_record[rid] = true_of_ref[key]
        person_of_record[rid] = person
        members[person].append(rid)
        record_of_ref[key] = rid
    suggested: dict[Any, set[Any]] = defaultdict(set)
    for a, b in suggestions:
        suggested[a].add(b)
        suggested[b].add(a)

    present = {truth[r] for r in registry.column("record_id").to_pylist()}
    order = sorted(range(len(stream_rows)), key=lambda i: results[i].get("done_at", 0))
    counts: Counter[str] = Counter()
    for i in order:
        row, result = stream_rows[i], results[i]
        true_person = truth[row["record_id"]]
        had_match = true_person in present
        counts["with_prior_match"] += had_match
        present.add(true_person)
        if result.get("status_code") != 200:
            counts["errors"] += 1
            continue
        body = result["body"]
        status = body["status"]
        counts[status] += 1
        rid = record_of_ref[
            (row["source"], crypto.pseudonymiser.ref_hmac(row["source"], row["source_ref"]))
        ]
        if status == "linked":
            others = {true_of_record[r] for r in members[body["person_id"]] if r != rid}
            if true_person not in others:
                counts["wrongly_linked"] += 1
        elif had_match:
            towards = {true_of_record[c] for c in suggested.get(rid, ())}
            if status == "new" or true_person not in towards:
                counts["missed_not_reviewed"] += 1
    n = len(stream_rows)
    linked = counts["linked"] or 1
    prior = counts["with_prior_match"] or 1
    return {
        "streamed": n,
        "statuses": {k: counts[k] for k in ("linked", "new", "pending_review")},
        "errors": counts["errors"],
        "with_prior_match": counts["with_prior_match"],
        "wrongly_linked": counts["wrongly_linked"],
        "wrongly_linked_share_of_streamed": counts["wrongly_linked"] / n,
        "wrongly_linked_share_of_linked": counts["wrongly_linked"] / linked,
        "missed_not_reviewed": counts["missed_not_reviewed"],
        "missed_share_of_streamed": counts["missed_not_reviewed"] / n,
        "missed_share_of_true_matches": counts["missed_not_reviewed"] / prior,
    }


# -- 6. Splink's predict_between --------------------------------------------------------------


def splink_predict_between(
    model: Any, registry_std: pa.Table, new_std: pa.Table, sample: int, budget_seconds: float
) -> dict[str, Any]:
    """Splink's own incremental prediction (``linker.inference.predict_between``), one new
    record at a time against the whole registry, with the trained model's settings, its prior
    for the registry's size and its term-frequency tables registered first."""
    import logging

    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI()
    settings = model.splink_settings(
        "duckdb", prior=model.prior(registry_std.num_rows + 1), link_type="dedupe_only"
    )
    registry_sdf = db_api.register(registry_std, dataset_display_name="registry")
    linker = Linker(registry_sdf, settings, log_level=logging.WARNING)
    start = time.perf_counter()
    for column, tf in model.term_frequencies.items():
        lookup = db_api.register(tf.as_arrow(column))
        linker.table_management.register_term_frequency_lookup(lookup, column)
    tf_seconds = time.perf_counter() - start
    times: list[float] = []
    found = 0
    started = time.perf_counter()
    for i in range(min(sample, new_std.num_rows)):
        if times and time.perf_counter() - started > budget_seconds:
            break  # seconds per record against a large registry: the sample is cut short
        one = db_api.register(new_std.slice(i, 1), dataset_display_name=f"incoming_{i}")
        start = time.perf_counter()
        pairs = linker.inference.predict_between(registry_sdf, one, warning_mode="never")
        found += len(pairs.as_pandas_dataframe())
        times.append((time.perf_counter() - start) * 1000)
    return {
        "sample": len(times),
        "budget_seconds": budget_seconds,
        "seconds": round(time.perf_counter() - started, 1),
        "tf_tables_seconds": round(tf_seconds, 2),
        "mean_ms": round(float(np.mean(times)), 2) if times else None,
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "pairs_found": found,
    }


def standardised(matcher: Any, table: pa.Table) -> pa.Table:
    from matching.standardise import standardise_table

    return standardise_table(table)


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry-records", type=int, default=1_000_000)
    parser.add_argument("--stream", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train-records", type=int, default=300_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--splink-sample", type=int, default=100)
    parser.add_argument(
        "--splink-seconds",
        type=float,
        default=90.0,
        help="time budget of the predict_between sample (records are started until it ends)",
    )
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--database", default="srj_bench_registry")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--keep-work", action="store_true", help="keep the work directory (logs)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="srj-registry-bench-"))
    settings = Settings(env="development", data_dir=work / "var", log_json=True)
    result: dict[str, Any] = {
        "command": " ".join(["benchmarks/registry_bench.py", *(argv or sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "parameters": vars(args) | {"out": str(args.out)},
    }
    server = None
    try:
        t0 = time.perf_counter()
        registry, stream_table, truth = make_population(
            args.registry_records, args.stream, args.seed
        )
        result["population_seconds"] = round(time.perf_counter() - t0, 1)
        log(f"registry {registry.num_rows} records, stream {stream_table.num_rows}")

        from matching.model import train

        t0 = time.perf_counter()
        sample = registry.slice(0, min(args.train_records, registry.num_rows))
        model = train(sample)
        model_path = work / "model.json"
        model.save(model_path)
        result["train_seconds"] = round(time.perf_counter() - t0, 1)
        config = RegistrySettings(model_path=model_path, ingest_batch_size=args.batch_size)
        matcher = load_matcher(model_path, config)
        result["model"] = {
            "version": matcher.model_version,
            "auto_link": matcher.thresholds.auto_link,
            "review": matcher.thresholds.review,
            "trained_on": sample.num_rows,
        }
        log(f"model trained in {result['train_seconds']} s")

        url = create_database(args.database)
        settings = Settings(env="development", data_dir=work / "var", database_url=url)
        from srj.schema import upgrade

        upgrade(url)
        from srj.db import make_engine, make_session_factory

        engine = make_engine(url)
        crypto = crypto_for(settings)
        log("bulk ingest")
        done = [0]

        def analyze() -> None:
            # This PostgreSQL runs without autovacuum (test server): refresh the planner's
            # statistics as the registry grows, as autovacuum would in production.
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()

        def progress(n: int) -> None:
            done[0] += n
            if done[0] % 50_000 < n:
                log(f"  {done[0]} records")
            if done[0] in (5_000, 20_000) or done[0] % 100_000 < n:
                analyze()

        with MemorySampler([psutil.Process()]) as own, MemorySampler(postgres_processes()) as pg:
            summary = ingest(
                registry,
                write_factory=make_session_factory(engine, write=True),
                matcher=matcher,
                crypto=crypto,
                config=config,
                actor="registry benchmark",
                batch_size=args.batch_size,
                progress=progress,
            )
        analyze()
        engine.dispose()
        result["ingest"] = summary.as_dict() | {
            "peak_rss_bench_process_gb": round(own.peak / 2**30, 2),
            "peak_rss_postgres_gb": round(pg.peak / 2**30, 2),
            "database_size_gb": round(database_size(url) / 2**30, 2),
        }
        log(f"ingest: {result['ingest']}")

        env = {
            **os.environ,
            "SRJ_DATABASE_URL": url,
            "SRJ_DATA_DIR": str(settings.data_dir),
            "SRJ_REGISTRY_MODEL_PATH": str(model_path),
            "SRJ_LOG_JSON": "true",
            "SRJ_LOG_LEVEL": "INFO",
        }
        server_log = work / "server.log"
        port = args.port or free_port()
        server = start_server(env, port, args.workers, server_log)
        # The stream comes from every application: one token that may write them all.
        token = issue_token(
            settings,
            subject="registry-benchmark",
            roles=[Role.APPLICATION],
            sources=sorted(set(stream_table.column("source").to_pylist())),
        )
        stream_rows = stream_table.to_pylist()
        log(f"streaming {len(stream_rows)} records, {args.concurrency} clients")
        results, wall = stream_records(stream_rows, port, token, args.concurrency)
        stop_server(server)
        server = None
        durations = server_durations(server_log)
        client_ms = [r["client_ms"] for r in results if r]
        ok = sum(1 for r in results if r.get("status_code") == 200)
        failures = Counter(r.get("status_code") for r in results if r.get("status_code") != 200)
        if failures:
            first = next(r for r in results if r.get("status_code") != 200)
            log(f"failed posts by status: {dict(failures)}; first: {first.get('body')}")
        result["stream"] = {
            "records": len(stream_rows),
            "ok": ok,
            "wall_seconds": round(wall, 2),
            "records_per_second": round(len(stream_rows) / wall, 1),
            "server_ms": {
                "n": len(durations),
                "mean": round(float(np.mean(durations)), 2) if durations else None,
                "p50": round(percentile(durations, 50), 2),
                "p95": round(percentile(durations, 95), 2),
                "p99": round(percentile(durations, 99), 2),
                "max": round(max(durations), 2) if durations else None,
            },
            "client_ms": {
                "p50": round(percentile(client_ms, 50), 2),
                "p95": round(percentile(client_ms, 95), 2),
            },
        }
        log(f"stream: {result['stream']}")
        result["accuracy"] = accuracy(url, settings, registry, stream_rows, results, truth)
        log(f"accuracy: {result['accuracy']}")

        log("Splink predict_between on a sample")
        registry_std = standardised(matcher, registry)
        new_std = standardised(matcher, stream_table)
        result["splink_predict_between"] = splink_predict_between(
            matcher.model, registry_std, new_std, args.splink_sample, args.splink_seconds
        )
        ours = result["stream"]["server_ms"]["mean"]
        theirs = result["splink_predict_between"]["mean_ms"]
        result["splink_ratio"] = round(theirs / ours, 1) if ours and theirs else None
        log(f"predict_between: {result['splink_predict_between']} ratio {result['splink_ratio']}")
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep_db:
            drop_database(args.database)
        if args.keep_work:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    checks = {
        "server_p95_ms": (
            result["stream"]["server_ms"]["p95"],
            result["stream"]["server_ms"]["p95"] <= TARGETS["server_p95_ms_max"],
        ),
        "throughput": (
            result["stream"]["records_per_second"],
            result["stream"]["records_per_second"] >= TARGETS["throughput_min"],
        ),
        "wrongly_linked": (
            result["accuracy"]["wrongly_linked_share_of_linked"],
            result["accuracy"]["wrongly_linked_share_of_linked"] <= TARGETS["wrongly_linked_max"],
        ),
        "missed_not_reviewed": (
            result["accuracy"]["missed_share_of_true_matches"],
            result["accuracy"]["missed_share_of_true_matches"]
            <= TARGETS["missed_not_reviewed_max"],
        ),
    }
    result["targets"] = TARGETS
    result["checks"] = {k: {"value": v, "pass": p} for k, (v, p) in checks.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"registry_{args.registry_records}_{args.seed}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print()
    for name, (value, passed) in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {value}")
    print(f"results: {out}")
    return 0 if all(p for _, p in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
