"""Batch resolve and dry run over HTTP: ``POST /v1/records:batch`` and ``/v1/records:match``.

One command (heavy: take the shared lock)::

    flock /tmp/srj-heavy.lock .venv/bin/python benchmarks/registry_batch_bench.py \\
        --registry-records 100000 --batches 5 --match 1000 --seed 42

1. M1's synthetic population: ``--registry-records`` go into the registry through
   ``identity.ingest`` (as ``registry_bench.py`` does), ``--batches`` x ``--batch-size`` others
   arrive later in batches, ``--match`` others are dry-run.
2. ``srj serve`` on loopback; the batches are posted one after the other (a nightly
   synchronisation): server-side time per batch (the service's access log) and records/s.
3. The dry runs, ``--concurrency`` clients: server-side latency. Then the same records are
   posted one by one and each answer is compared with what its dry run predicted (the
   registry does not change in between but for these very posts, in the same order: the
   prediction must hold for every record).

Writes ``benchmarks/out/registry_batch_<records>_<seed>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from registry_bench import (  # noqa: E402  (after the sys.path fix)
    ROOT,
    create_database,
    drop_database,
    free_port,
    log,
    make_population,
    percentile,
    start_server,
    stop_server,
)

from identity.config import RegistrySettings  # noqa: E402
from identity.deps import crypto_for  # noqa: E402
from identity.ingest import ingest  # noqa: E402
from identity.linkage import load_matcher  # noqa: E402
from srj.auth import Role, issue_token  # noqa: E402
from srj.settings import Settings  # noqa: E402


def route_durations(log_path: Path, route: str) -> list[float]:
    out = []
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("route") == route and entry.get("method") == "POST":
                out.append(float(entry["duration_ms"]))
    return out


def _body(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v not in (None, "")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry-records", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--match", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train-records", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database", default="srj_bench_registry_batch")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="srj-registry-batch-bench-"))
    result: dict[str, Any] = {
        "command": " ".join(["benchmarks/registry_batch_bench.py", *(argv or sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "parameters": vars(args) | {"out": str(args.out)},
    }
    arriving = args.batches * args.batch_size
    registry, later, _truth = make_population(
        args.registry_records, arriving + args.match, args.seed
    )
    batch_rows = later.slice(0, arriving).to_pylist()
    match_rows = later.slice(arriving).to_pylist()

    from matching.model import train

    model = train(registry.slice(0, min(args.train_records, registry.num_rows)))
    model_path = work / "model.json"
    model.save(model_path)
    config = RegistrySettings(model_path=model_path)
    matcher = load_matcher(model_path, config)

    url = create_database(args.database)
    server = None
    try:
        from srj.db import make_engine, make_session_factory
        from srj.schema import upgrade

        upgrade(url)
        settings = Settings(env="development", data_dir=work / "var", database_url=url)
        engine = make_engine(url)
        log(f"ingesting {registry.num_rows} records")
        summary = ingest(
            registry,
            write_factory=make_session_factory(engine, write=True),
            matcher=matcher,
            crypto=crypto_for(settings),
            config=config,
            actor="registry batch benchmark",
        )
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        engine.dispose()
        result["ingest"] = summary.as_dict()

        env = {
            **os.environ,
            "SRJ_DATABASE_URL": url,
            "SRJ_DATA_DIR": str(settings.data_dir),
            "SRJ_REGISTRY_MODEL_PATH": str(model_path),
            "SRJ_LOG_JSON": "true",
            "SRJ_LOG_LEVEL": "INFO",
        }
        server_log = work / "server.log"
        port = free_port()
        server = start_server(env, port, args.workers, server_log)
        sources = sorted({r["source"] for r in [*batch_rows, *match_rows]})
        token = issue_token(
            settings, subject="batch-benchmark", roles=[Role.APPLICATION], sources=sources
        )
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}/v1"

        with httpx.Client(headers=headers, timeout=300) as client:
            statuses: Counter[str] = Counter()
            walls = []
            for b in range(args.batches):
                rows = batch_rows[b * args.batch_size : (b + 1) * args.batch_size]
                start = time.perf_counter()
                response = client.post(
                    f"{base}/records:batch", json={"records": [_body(r) for r in rows]}
                )
                walls.append(time.perf_counter() - start)
                response.raise_for_status()
                statuses.update(response.json()["counts"])
            server_ms = route_durations(server_log, "/v1/records:batch")
            result["batch"] = {
                "batches": args.batches,
                "records_per_batch": args.batch_size,
                "server_ms_per_batch": [round(x, 1) for x in server_ms],
                "client_seconds_per_batch": [round(x, 2) for x in walls],
                "records_per_second": round(arriving / (sum(server_ms) / 1000), 1),
                "statuses": dict(statuses),
            }
            log(f"batch: {result['batch']}")

            from concurrent.futures import ThreadPoolExecutor

            def dry_run(row: dict[str, Any]) -> dict[str, Any]:
                r = client.post(f"{base}/records:match", json=_body(row))
                r.raise_for_status()
                return dict(r.json()["would"])

            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                predictions = list(pool.map(dry_run, match_rows))
            match_ms = route_durations(server_log, "/v1/records:match")
            # The registry changes only through these posts, in this order: each prediction
            # was made before the posts that precede it in the list, which may change it.
            agree = 0
            for row in match_rows:
                again = dry_run(row)
                posted = client.post(f"{base}/records", json=_body(row))
                posted.raise_for_status()
                done = posted.json()
                same_person = again["person_id"] in (None, done["person_id"])
                if again["status"] == done["status"] and same_person:
                    agree += 1
            result["match"] = {
                "records": len(match_rows),
                "server_p50_ms": round(percentile(match_ms, 50), 2),
                "server_p95_ms": round(percentile(match_ms, 95), 2),
                "server_p99_ms": round(percentile(match_ms, 99), 2),
                "would": dict(Counter(p["status"] for p in predictions)),
                "post_answered_as_predicted": f"{agree}/{len(match_rows)}",
            }
            log(f"match: {result['match']}")
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep_db:
            drop_database(args.database)
    result["machine"]["load_average_at_end"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"registry_batch_{args.registry_records}_{args.seed}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
