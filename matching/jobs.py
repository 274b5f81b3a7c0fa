"""The linkage jobs behind ``srj link train|dedupe|link|evaluate``.

Each job reads and validates its whole input first (:mod:`matching.io`), then runs the stages
standardise → train (or load) → predict → cluster, and writes its outputs into a temporary
directory next to the target that is renamed at the very end: a failure at any stage leaves no
partial output directory and never touches a previous one.

The model is pluggable (:class:`LinkagePipeline`): ours (:class:`ModelPipeline`, the French
standardisation and the Splink model of :mod:`matching.model` with constrained clustering) and
the plain-Splink baseline (:class:`BaselinePipeline`), which the benchmark runs on the same
records. A saved model file says which kind it is, so ``--model`` loads the right one.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from matching.evaluate import Evaluation, evaluate, precision_by_score_band
from matching.io import (
    InputError,
    atomic_output_dir,
    atomic_output_file,
    extra_columns,
    read_clusters,
    read_labels,
    read_pairs,
    read_records,
    read_truth,
)

Engine = Literal["duckdb", "spark"]
PAIR_OUTPUT_COLUMNS = ("record_id_l", "record_id_r", "match_weight", "match_probability")
STAGES = ("read", "standardise", "train", "predict", "cluster", "write")


class JobError(Exception):
    """A job cannot run as asked (bad option combination, unusable model file...)."""


# --- progress -----------------------------------------------------------------------------


class StageListener(Protocol):
    """What a job tells its caller: the CLI draws progress bars, tests and benchmarks time."""

    def start(self, stage: str, description: str) -> None: ...

    def finish(self, stage: str, seconds: float) -> None: ...


class SilentListener:
    def start(self, stage: str, description: str) -> None:
        return None

    def finish(self, stage: str, seconds: float) -> None:
        return None


@dataclass
class StageTimer:
    """Wall time per stage of one job run."""

    listener: StageListener = field(default_factory=SilentListener)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str, description: str) -> Iterator[None]:
        self.listener.start(name, description)
        began = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - began
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            self.listener.finish(name, elapsed)


@contextlib.contextmanager
def quiet_splink() -> Iterator[None]:
    """Splink logs every SQL step and training iteration at INFO: the jobs speak for
    themselves (progress bars, one summary line), so only Splink's errors get through."""
    logger = logging.getLogger("splink")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


# --- models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    kind: str
    version: str
    auto_link: float
    review: float
    splink_settings: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scored:
    """Scored pairs at or above the review threshold, and whatever the pipeline needs to
    cluster them (Splink's frame for the baseline)."""

    pairs: pa.Table
    state: Any = None


class LinkagePipeline(Protocol):
    name: str

    def standardise(self, records: pa.Table) -> pa.Table: ...

    def train(self, records: pa.Table, *, labels: pa.Table | None, db_api: Any) -> Any: ...

    def load(self, path: Path) -> Any: ...

    def save(self, model: Any, path: Path) -> None: ...

    def info(self, model: Any) -> ModelInfo: ...

    def with_thresholds(self, model: Any, auto_link: float, review: float) -> Any: ...

    def predict(self, model: Any, records: pa.Table, *, db_api: Any) -> Scored: ...

    def link(self, model: Any, left: pa.Table, right: pa.Table, *, db_api: Any) -> Scored: ...

    def cluster(self, model: Any, scored: Scored, records: pa.Table) -> pa.Table: ...

    def comparison_records(self, model: Any, records: pa.Table) -> pa.Table: ...


def _pairs_columns(table: pa.Table) -> pa.Table:
    out = table.select(list(PAIR_OUTPUT_COLUMNS))
    return out.cast(
        pa.schema(
            [
                ("record_id_l", pa.string()),
                ("record_id_r", pa.string()),
                ("match_weight", pa.float64()),
                ("match_probability", pa.float64()),
            ]
        )
    )


class ModelPipeline:
    """Our model: French standardisation, the Splink model and constrained clustering
    (:mod:`matching.standardise`, :mod:`matching.model`, :mod:`matching.clustering`)."""

    name = "srj"

    def standardise(self, records: pa.Table) -> pa.Table:
        from matching.standardise import standardise_table

        return standardise_table(records)

    def train(self, records: pa.Table, *, labels: pa.Table | None, db_api: Any) -> Any:
        from matching.model import TrainingError, train

        try:
            return train(records, labels=labels, db_api=db_api)
        except TrainingError as exc:  # e.g. too few records: the input's fault, not a crash
            raise JobError(f"cannot train on this input: {exc}") from None

    def load(self, path: Path) -> Any:
        from matching.model import TrainedModel

        return TrainedModel.load(path)

    def save(self, model: Any, path: Path) -> None:
        model.save(path)

    def info(self, model: Any) -> ModelInfo:
        facts = {
            "Créé le": model.created_at,
            "Empreinte des données d'entraînement (SHA-256)": model.training.data_sha256,
            "Version de la standardisation": model.standardisation_version,
        }
        return ModelInfo(
            kind=self.name,
            version=str(model.model_version),
            auto_link=float(model.thresholds.auto_link),
            review=float(model.thresholds.review),
            splink_settings=dict(model.splink_settings("duckdb")),
            facts=facts,
        )

    def with_thresholds(self, model: Any, auto_link: float, review: float) -> Any:
        from matching.model import Thresholds

        return model.with_thresholds(Thresholds(auto_link=auto_link, review=review))

    def predict(self, model: Any, records: pa.Table, *, db_api: Any) -> Scored:
        from matching.model import predict

        # Only the four pair columns travel on: Splink's per-comparison columns would double
        # the memory of a million-record job, and the report re-scores the pairs it explains.
        return Scored(_pairs_columns(predict(model, records, db_api=db_api)))

    def link(self, model: Any, left: pa.Table, right: pa.Table, *, db_api: Any) -> Scored:
        from matching.model import link

        return Scored(_pairs_columns(link(model, left, right, db_api=db_api)))

    def cluster(self, model: Any, scored: Scored, records: pa.Table) -> pa.Table:
        from matching.clustering import cluster

        result = cluster(scored.pairs, records, model.thresholds, model=model)
        return result.clusters.select(["record_id", "cluster_id"])

    def comparison_records(self, model: Any, records: pa.Table) -> pa.Table:
        return records


class BaselinePipeline:
    """The plain-Splink baseline of :mod:`matching.baseline`, behind the same interface."""

    name = "baseline"

    def __init__(self, auto_link: float | None = None, review: float | None = None) -> None:
        # By default the thresholds our model uses, so both are judged at the same ones.
        from matching.model.thresholds import DEFAULT_AUTO_LINK, DEFAULT_REVIEW

        self.auto_link = DEFAULT_AUTO_LINK if auto_link is None else auto_link
        self.review = DEFAULT_REVIEW if review is None else review

    def standardise(self, records: pa.Table) -> pa.Table:
        from matching.baseline import BASELINE_COLUMNS

        # The tutorials' model reads the columns as they come.
        return records.select(list(BASELINE_COLUMNS))

    def train(self, records: pa.Table, *, labels: pa.Table | None, db_api: Any) -> Any:
        from matching.baseline import train_baseline

        if labels is not None:
            raise JobError("the baseline model is trained without labels: drop --labels")
        return train_baseline(records, auto_link=self.auto_link, review=self.review, db_api=db_api)

    def load(self, path: Path) -> Any:
        from matching.baseline import BaselineModel

        return BaselineModel.load(path)

    def save(self, model: Any, path: Path) -> None:
        model.save(path)

    def info(self, model: Any) -> ModelInfo:
        from matching.baseline import BASELINE_VERSION

        return ModelInfo(self.name, BASELINE_VERSION, model.auto_link, model.review, model.settings)

    def with_thresholds(self, model: Any, auto_link: float, review: float) -> Any:
        from dataclasses import replace

        return replace(model, auto_link=auto_link, review=review)

    def predict(self, model: Any, records: pa.Table, *, db_api: Any) -> Scored:
        from matching.baseline import pairs_table, predict_baseline

        linker, frame = predict_baseline(model, records, db_api=db_api)
        return Scored(pairs_table(frame), (linker, frame))

    def link(self, model: Any, left: pa.Table, right: pa.Table, *, db_api: Any) -> Scored:
        raise JobError("the baseline model only deduplicates (srj link dedupe --baseline)")

    def cluster(self, model: Any, scored: Scored, records: pa.Table) -> pa.Table:
        from matching.baseline import cluster_baseline

        linker, frame = scored.state
        return cluster_baseline(linker, frame, model.auto_link)

    def comparison_records(self, model: Any, records: pa.Table) -> pa.Table:
        return records


def pipeline_for_model_file(path: Path) -> LinkagePipeline:
    """The pipeline that reads a saved model file, from the kind the file declares."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"{path}: model file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JobError(
            f"{path}: not a model file (expected the JSON written by srj link train)"
        ) from None
    if not isinstance(document, dict):
        raise JobError(f"{path}: not a model file (expected the JSON written by srj link train)")
    if document.get("kind") == "srj-baseline":
        return BaselinePipeline()
    return ModelPipeline()


def make_db_api(engine: Engine) -> Any:
    """A fresh Splink database API for the engine (one in-memory DuckDB, or local Spark)."""
    if engine == "duckdb":
        # The model's DuckDB configuration (SRJ_DUCKDB_MEMORY_LIMIT, no insertion order to
        # preserve), for both models alike.
        from matching.model import default_db_api

        return default_db_api()
    if engine == "spark":
        from matching.spark_engine import spark_db_api

        return spark_db_api()
    raise JobError(f"unknown engine {engine!r}: choose duckdb or spark")


@contextlib.contextmanager
def engine_session(engine: Engine) -> Iterator[Any]:
    """A Splink database API for one stage, closed at its end.

    Training and prediction each get their own: DuckDB keeps every table of a connection
    (training's sampled pairs, EM tables...) and its buffer pool until the connection closes,
    which at a million records is gigabytes the next stage does not need.
    """
    api = make_db_api(engine)
    try:
        yield api
    finally:
        close_db_api(api)


def close_db_api(api: Any) -> None:
    """Close the DuckDB connections of a Splink database API (a Spark session lives on)."""
    for attribute in ("_con", "_ddb_con"):
        connection = getattr(api, attribute, None)
        if connection is not None and hasattr(connection, "close"):
            with contextlib.suppress(Exception):  # already closed, or not a DuckDB one
                connection.close()


# --- summaries ----------------------------------------------------------------------------


@dataclass
class RunSummary:
    job: str
    model_kind: str
    records: int
    seconds: dict[str, float]
    output: str
    clusters: int = 0
    multi_record_clusters: int = 0
    linked_records: int = 0
    pairs: int = 0
    review_pairs: int = 0
    review_records: int = 0
    auto_link: float = 0.0
    review: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def line(self) -> str:
        """The one summary line a job prints."""
        if self.job == "train":
            return (
                f"train: {self.records:,} records, {self.model_kind} model written to "
                f"{self.output} in {self.total_seconds:.1f} s"
            )
        return (
            f"{self.job}: {self.records:,} records -> {self.clusters:,} clusters "
            f"({self.multi_record_clusters:,} with several records, {self.linked_records:,} "
            f"records linked), {self.pairs:,} pairs >= review threshold of which "
            f"{self.review_pairs:,} to review ({self.review_records:,} records); "
            f"{self.total_seconds:.1f} s; output {self.output}"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"total_seconds": self.total_seconds}


def _cluster_counts(clusters: pa.Table) -> tuple[int, int, int]:
    counts = pc.value_counts(clusters.column("cluster_id")).field("counts")
    multi = pc.greater(counts, 1)
    linked = pc.sum(pc.filter(counts, multi)).as_py() or 0
    return len(counts), int(pc.sum(multi).as_py() or 0), int(linked)


def _review_band(pairs: pa.Table, clusters: pa.Table) -> tuple[int, int]:
    """Pairs >= review threshold whose records were not auto-linked, and their records."""
    if pairs.num_rows == 0:
        return 0, 0
    ids = clusters.column("record_id").combine_chunks()
    cluster_ids = clusters.column("cluster_id").combine_chunks()
    left = pc.take(cluster_ids, pc.index_in(pairs.column("record_id_l"), value_set=ids))
    right = pc.take(cluster_ids, pc.index_in(pairs.column("record_id_r"), value_set=ids))
    band = pc.fill_null(pc.not_equal(left, right), True)
    records = pa.chunked_array(
        [
            pc.filter(pairs.column("record_id_l"), band).combine_chunks(),
            pc.filter(pairs.column("record_id_r"), band).combine_chunks(),
        ]
    )
    return int(pc.sum(band).as_py() or 0), len(pc.unique(records))


def _check_complete(clusters: pa.Table, records: pa.Table) -> None:
    """Every input record exactly once in the clusters: a broken promise is a bug, not
    bad input, so it fails loudly before anything is written."""
    ids = clusters.column("record_id")
    if clusters.num_rows != records.num_rows or len(pc.unique(ids)) != clusters.num_rows:
        raise RuntimeError("clustering did not return every record exactly once")
    if not pc.all(pc.is_in(records.column("record_id"), value_set=ids)).as_py():
        raise RuntimeError("clustering lost records")


# --- jobs ---------------------------------------------------------------------------------


def _read(path: Path, timer: StageTimer, notes: list[str]) -> pa.Table:
    with timer.stage("read", f"reading {path.name}"):
        records = read_records(path)
        extra = extra_columns(path)
        if extra:
            notes.append(f"{path.name}: columns ignored (not canonical): {', '.join(extra)}")
    return records


def _load(pipeline: LinkagePipeline, path: Path) -> Any:
    try:
        return pipeline.load(path)
    except (ValueError, KeyError, TypeError) as exc:
        # A model file from another version, or edited by hand: say so, without a traceback.
        raise JobError(f"{path}: not a usable model file ({exc})") from None


def _model_for(model_path: Path | None, baseline: bool) -> tuple[LinkagePipeline, Path | None]:
    if model_path is not None:
        pipeline = pipeline_for_model_file(model_path)
        if baseline and pipeline.name != "baseline":
            raise JobError(f"{model_path} is not a baseline model: drop --baseline")
        return pipeline, model_path
    return (BaselinePipeline() if baseline else ModelPipeline()), None


def train_job(
    input_path: Path,
    model_path: Path,
    *,
    labels_path: Path | None = None,
    engine: Engine = "duckdb",
    baseline: bool = False,
    listener: StageListener | None = None,
) -> RunSummary:
    """``srj link train``: train on a canonical file and write the model JSON atomically."""
    timer = StageTimer(listener or SilentListener())
    notes: list[str] = []
    pipeline: LinkagePipeline = BaselinePipeline() if baseline else ModelPipeline()
    records = _read(input_path, timer, notes)
    labels = read_labels(labels_path) if labels_path is not None else None
    with quiet_splink():
        with timer.stage("standardise", "standardising identity traits"):
            std = pipeline.standardise(records)
        with (
            timer.stage("train", "training the model (u by sampling, m by EM)"),
            engine_session(engine) as db_api,
        ):
            model = pipeline.train(std, labels=labels, db_api=db_api)
    with timer.stage("write", f"writing {model_path.name}"), atomic_output_file(model_path) as tmp:
        pipeline.save(model, tmp)
    return RunSummary(
        "train", pipeline.name, records.num_rows, timer.seconds, str(model_path), notes=notes
    )


@dataclass
class _Outputs:
    records: pa.Table
    std: pa.Table
    scored: Scored
    clusters: pa.Table
    model: Any
    info: ModelInfo


def _write_outputs(
    work: Path,
    pipeline: LinkagePipeline,
    out: _Outputs,
    summary: RunSummary,
    title: str,
    with_report: bool,
) -> None:
    pq.write_table(out.clusters, work / "clusters.parquet")
    pq.write_table(_pairs_columns(out.scored.pairs), work / "pairs.parquet")
    pipeline.save(out.model, work / "model.json")
    if with_report:
        # The report pulls in Splink's charting; imported here so that the CLI starts fast.
        from matching import report as report_module

        comparison = pipeline.comparison_records(out.model, out.std)
        charts = report_module.splink_charts(
            out.info.splink_settings,
            comparison,
            out.scored.pairs,
            auto_link=out.info.auto_link,
            review=out.info.review,
        )
        facts = [
            ("Fiches", summary.records),
            ("Groupes (personnes)", summary.clusters),
            ("Groupes de plusieurs fiches", summary.multi_record_clusters),
            ("Fiches liées automatiquement", summary.linked_records),
            ("Paires au-dessus du seuil de revue", summary.pairs),
            ("Paires à revoir", summary.review_pairs),
            ("Fiches concernées par la revue", summary.review_records),
            ("Seuil de liaison automatique (probabilité)", out.info.auto_link),
            ("Seuil de revue (probabilité)", out.info.review),
            ("Modèle", f"{out.info.kind} {out.info.version}"),
            *((k, str(v)) for k, v in out.info.facts.items()),
            *((f"Durée : {k} (s)", round(v, 2)) for k, v in summary.seconds.items()),
        ]
        data = report_module.ReportData(
            title=title,
            facts=report_module.facts_table(facts),
            charts=charts,
            parameters=report_module.parameter_rows(out.info.splink_settings),
            cluster_sizes=report_module.cluster_size_counts(out.clusters),
            notes=summary.notes,
        )
        (work / "report.html").write_text(report_module.render(data), encoding="utf-8")
    (work / "summary.json").write_text(
        json.dumps(summary.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8"
    )


def dedupe_job(
    input_path: Path,
    output_dir: Path,
    *,
    model_path: Path | None = None,
    engine: Engine = "duckdb",
    baseline: bool = False,
    overwrite: bool = False,
    with_report: bool = True,
    listener: StageListener | None = None,
) -> RunSummary:
    """``srj link dedupe``: cluster the records of one file (training first if no model)."""
    timer = StageTimer(listener or SilentListener())
    notes: list[str] = []
    pipeline, model_file = _model_for(model_path, baseline)
    _refuse_existing(output_dir, overwrite)
    records = _read(input_path, timer, notes)
    with quiet_splink():
        with timer.stage("standardise", "standardising identity traits"):
            std = pipeline.standardise(records)
        if model_file is not None:
            with timer.stage("train", f"loading {model_file.name}"):
                model = _load(pipeline, model_file)
        else:
            with (
                timer.stage("train", "training the model (u by sampling, m by EM)"),
                engine_session(engine) as db_api,
            ):
                model = pipeline.train(std, labels=None, db_api=db_api)
        info = pipeline.info(model)
        with engine_session(engine) as db_api:
            with timer.stage("predict", "scoring blocked pairs"):
                scored = pipeline.predict(model, std, db_api=db_api)
            with timer.stage("cluster", "clustering at the auto-link threshold"):
                clusters = pipeline.cluster(model, scored, std)
                scored.state = None  # the pipeline's engine objects end with the session
                _check_complete(clusters, records)
        summary = _summary("dedupe", pipeline, records.num_rows, timer, output_dir, notes)
        _fill_counts(summary, clusters, scored.pairs, info)
        with (
            timer.stage("write", f"writing {output_dir}"),
            atomic_output_dir(output_dir, overwrite=overwrite) as work,
        ):
            out = _Outputs(records, std, scored, clusters, model, info)
            _write_outputs(work, pipeline, out, summary, "Dédoublonnage", with_report)
    summary.seconds = dict(timer.seconds)
    _rewrite_summary(output_dir, summary)
    return summary


def link_job(
    left_path: Path,
    right_path: Path,
    output_dir: Path,
    *,
    model_path: Path | None = None,
    engine: Engine = "duckdb",
    overwrite: bool = False,
    with_report: bool = True,
    listener: StageListener | None = None,
) -> RunSummary:
    """``srj link link``: link two extracts; clusters span both (column ``dataset`` says
    which file each record came from)."""
    timer = StageTimer(listener or SilentListener())
    notes: list[str] = []
    pipeline, model_file = _model_for(model_path, baseline=False)
    _refuse_existing(output_dir, overwrite)
    left = _read(left_path, timer, notes)
    right = _read(right_path, timer, notes)
    shared = pc.is_in(right.column("record_id"), value_set=left.column("record_id"))
    if pc.any(shared).as_py():
        ids = pc.filter(right.column("record_id"), shared)
        raise InputError(
            right_path,
            [
                f"{len(ids)} record_id value(s) also appear in {left_path.name}, e.g. "
                + ", ".join(repr(v) for v in ids[:5].to_pylist())
                + ": record identifiers must be unique across the two extracts"
            ],
        )
    records = pa.concat_tables([left, right])
    with quiet_splink():
        with timer.stage("standardise", "standardising identity traits"):
            left_std = pipeline.standardise(left)
            right_std = pipeline.standardise(right)
            std = pa.concat_tables([left_std, right_std])
        if model_file is not None:
            with timer.stage("train", f"loading {model_file.name}"):
                model = _load(pipeline, model_file)
        else:
            with (
                timer.stage("train", "training the model on both extracts"),
                engine_session(engine) as db_api,
            ):
                model = pipeline.train(std, labels=None, db_api=db_api)
        info = pipeline.info(model)
        with (
            timer.stage("predict", "scoring blocked pairs across the extracts"),
            engine_session(engine) as db_api,
        ):
            scored = pipeline.link(model, left_std, right_std, db_api=db_api)
        with timer.stage("cluster", "clustering at the auto-link threshold"):
            clusters = pipeline.cluster(model, scored, std)
            _check_complete(clusters, records)
            dataset = pc.if_else(
                pc.is_in(clusters.column("record_id"), value_set=left.column("record_id")),
                "left",
                "right",
            )
            clusters = clusters.append_column("dataset", dataset)
        summary = _summary("link", pipeline, records.num_rows, timer, output_dir, notes)
        _fill_counts(summary, clusters, scored.pairs, info)
        with (
            timer.stage("write", f"writing {output_dir}"),
            atomic_output_dir(output_dir, overwrite=overwrite) as work,
        ):
            out = _Outputs(records, std, scored, clusters, model, info)
            _write_outputs(work, pipeline, out, summary, "Liaison de deux extraits", with_report)
    summary.seconds = dict(timer.seconds)
    _rewrite_summary(output_dir, summary)
    return summary


def _refuse_existing(output_dir: Path, overwrite: bool) -> None:
    # Checked before any work so a long job does not fail at its very end.
    if output_dir.exists() and not output_dir.is_dir():
        raise JobError(f"{output_dir} exists and is not a directory")
    if output_dir.exists() and any(output_dir.iterdir()) and not overwrite:
        raise JobError(f"{output_dir} exists and is not empty (use --overwrite to replace it)")


def _summary(
    job: str,
    pipeline: LinkagePipeline,
    records: int,
    timer: StageTimer,
    output_dir: Path,
    notes: list[str],
) -> RunSummary:
    return RunSummary(job, pipeline.name, records, timer.seconds, str(output_dir), notes=notes)


def _fill_counts(summary: RunSummary, clusters: pa.Table, pairs: pa.Table, info: ModelInfo) -> None:
    summary.clusters, summary.multi_record_clusters, summary.linked_records = _cluster_counts(
        clusters
    )
    summary.pairs = pairs.num_rows
    summary.review_pairs, summary.review_records = _review_band(pairs, clusters)
    summary.auto_link, summary.review = info.auto_link, info.review


def _rewrite_summary(output_dir: Path, summary: RunSummary) -> None:
    # The write stage's own duration is known only once the directory is in place.
    with atomic_output_file(output_dir / "summary.json") as tmp:
        tmp.write_text(
            json.dumps(summary.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8"
        )


def evaluate_job(
    clusters_path: Path,
    truth_path: Path,
    *,
    pairs_path: Path | None = None,
    labels_path: Path | None = None,
    bands: tuple[float, ...] | None = None,
) -> dict[str, Any]:
    """``srj link evaluate``: every metric as one JSON-ready dict."""
    clusters = read_clusters(clusters_path)
    truth = read_truth(truth_path)
    pairs = read_pairs(pairs_path) if pairs_path is not None else None
    result: Evaluation = evaluate(clusters, truth, pairs)
    document = result.as_dict()
    if labels_path is not None:
        if pairs is None:
            raise JobError("--labels needs --pairs: precision per score band reads the scores")
        labels = read_labels(labels_path)
        kwargs = {"edges": bands} if bands else {}
        document["precision_by_band"] = [
            asdict(b) for b in precision_by_score_band(pairs, labels, **kwargs)
        ]
    return document


# --- pseudonymised export ----------------------------------------------------------------

MIN_STUDY_KEY_BYTES = 16


def _keyed_pseudonym(key: bytes, domain: bytes, value: str) -> str:
    digest = hmac.new(key, domain + b"\x00" + value.encode("utf-8"), hashlib.sha256).digest()
    return digest[:16].hex()


def pseudonymised_linkage_table(
    clusters: pa.Table, records: pa.Table, study_key: bytes
) -> pa.Table:
    """A linkage table for one study: who is who across the sources, without any trait.

    Columns ``person`` (keyed pseudonym of the cluster), ``record`` (keyed pseudonym of the
    record), ``source`` and ``record_date``. The pseudonyms are HMAC-SHA-256 under the study's
    own key (truncated to 128 bits): two studies with different keys cannot join their tables,
    and without the key nobody can recompute a pseudonym from a record identifier. Record and
    cluster identifiers go in, never traits.
    """
    if len(study_key) < MIN_STUDY_KEY_BYTES:
        raise ValueError(f"the study key must have at least {MIN_STUDY_KEY_BYTES} bytes")
    ids = records.column("record_id").combine_chunks()
    position = pc.index_in(ids, value_set=clusters.column("record_id").combine_chunks())
    if position.null_count:
        raise ValueError("some records are not in the clusters")
    cluster_ids = pc.take(clusters.column("cluster_id").combine_chunks(), position)
    person = [_keyed_pseudonym(study_key, b"person", str(c)) for c in cluster_ids.to_pylist()]
    record = [_keyed_pseudonym(study_key, b"record", str(r)) for r in ids.to_pylist()]
    return pa.table(
        {
            "person": pa.array(person, pa.string()),
            "record": pa.array(record, pa.string()),
            "source": records.column("source"),
            "record_date": records.column("record_date"),
        }
    )
