"""The linkage jobs behind ``srj link train|dedupe|link|evaluate``, and the pseudonymised export.

One module per job (:mod:`~matching.jobs.train`, :mod:`~matching.jobs.dedupe`,
:mod:`~matching.jobs.link`, :mod:`~matching.jobs.evaluate`), each orchestration only: read
and validate the whole input first (:mod:`matching.io`), standardise once, then train (or
load) → predict → cluster, and write the outputs into a temporary directory next to the
target that is renamed at the very end (:mod:`~matching.jobs.outputs`): a failure at any stage
leaves no partial output directory and never touches a previous one.

The model is pluggable (:class:`~matching.jobs.pipelines.LinkagePipeline`): ours
(:class:`~matching.jobs.pipelines.ModelPipeline`) and the plain-Splink baseline
(:class:`~matching.jobs.pipelines.BaselinePipeline`), which the benchmark runs on the same
records. A saved model file says which kind it is, so ``--model`` loads the right one. Where
Splink runs (DuckDB or Spark) is :mod:`matching.engines`.
"""

from matching.jobs.dedupe import dedupe_job
from matching.jobs.errors import JobError
from matching.jobs.evaluate import evaluate_job
from matching.jobs.export import pseudonymised_linkage_table
from matching.jobs.link import link_job
from matching.jobs.pipelines import (
    BaselinePipeline,
    LinkagePipeline,
    ModelInfo,
    ModelPipeline,
    Scored,
)
from matching.jobs.stages import STAGES, SilentListener, StageListener, StageTimer, quiet_splink
from matching.jobs.summary import RunSummary
from matching.jobs.train import train_job

__all__ = [
    "STAGES",
    "BaselinePipeline",
    "JobError",
    "LinkagePipeline",
    "ModelInfo",
    "ModelPipeline",
    "RunSummary",
    "Scored",
    "SilentListener",
    "StageListener",
    "StageTimer",
    "dedupe_job",
    "evaluate_job",
    "link_job",
    "pseudonymised_linkage_table",
    "quiet_splink",
    "train_job",
]
