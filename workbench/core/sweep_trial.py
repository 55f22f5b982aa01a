"""One trial of a sweep, as a worker runs it: the plugin's trainer through ``Run`` into the
trial's own run folder, resumed from that folder's checkpoint when an earlier attempt left one.

The same function runs in the local pool's worker processes and in Ray's; it takes plain data
(a ``TrialTask``) and returns plain data (a record for ``sweep.json``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.checkpoint import CHECKPOINT_NAME
from workbench.core.config import from_dict
from workbench.core.manifest import Manifest
from workbench.core.runs import read_curves
from workbench.core.sinks import Sink
from workbench.core.snapshot import Snapshot

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
RECENT = 10
"""Values of the metric averaged into a trial's figure, what sweeps rank settings by and ASHA
judges trials by: one episode's return is noise, and the best of many favours the noisiest run."""


@dataclass(frozen=True)
class TrialTask:
    """What a worker needs to run one trial; ``paths`` is the sweep's ``sys.path``, so plugins
    and configs importable there import in the worker too."""

    id: str
    manifest: Manifest
    values: dict[str, Any]
    out_dir: str
    steps: int | None = None
    metric: str = "episode_return"
    mode: str = "max"
    device: str = "auto"
    threads: int = 1
    checkpoint_every_s: float = 30.0
    paths: tuple[str, ...] = field(default_factory=tuple)


def limit_threads(threads: int) -> None:
    """Keep the numeric libraries of this process to ``threads``: torch reads the variables when
    a trainer first imports it, or is told now if an earlier trial did. A numpy-only trainer
    never pays for importing torch (about as long as a short tabular trial)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def metric_figures(out_dir: str | Path, metric: str, mode: str) -> dict[str, float | None]:
    """Of ``metric`` in the folder's metrics.csv: the last finite value, the mean of the last
    ``RECENT`` (``recent``) and the best (max or min)."""
    values = read_curves(out_dir).get(metric)
    return series_figures(np.empty(0) if values is None else values, mode)


def series_figures(values: np.ndarray, mode: str) -> dict[str, float | None]:
    """``final``, ``recent`` and ``best`` of a metric's values (non-finite ones left out)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return {"final": None, "recent": None, "best": None}
    return {
        "final": float(finite[-1]),
        "recent": float(finite[-RECENT:].mean()),
        "best": float(finite.max() if mode == "max" else finite.min()),
    }


def after_lost_worker(task_id: str, why: str, attempt: int, retries: int, stopping: bool) -> dict[str, Any]:
    """The record of a trial whose worker died (``why``) on its ``attempt``: stopped while the
    sweep stops (its next run resumes it), retrying while it has retries left (from its
    checkpoint), else failed."""
    if stopping:
        return {"id": task_id, "state": "stopped", "error": why}
    if attempt <= retries:
        return {"id": task_id, "state": "retrying", "error": why}
    return {"id": task_id, "state": "failed", "error": f"{why}, {attempt} times"}


class TrialSink(Sink):
    """Stops the run at the next snapshot once ``should_stop()`` says so, and hands every value
    of the sweep's metric to ``on_metric(step, value)`` (Ray's reporting, the scheduler's input)."""

    def __init__(
        self, metric: str, should_stop: Callable[[], bool], on_metric: Callable[[int, float], None] | None = None
    ) -> None:
        self.metric, self.should_stop, self.on_metric = metric, should_stop, on_metric
        self.stop: Callable[[], None] = lambda: None  # the run's, once it exists

    def write(self, snap: Snapshot) -> None:
        if self.on_metric is not None and self.metric in snap.scalars:
            self.on_metric(snap.step, snap.scalars[self.metric])
        if self.should_stop():
            self.stop()


def run_trial(
    task: TrialTask, should_stop: Callable[[], bool], on_metric: Callable[[int, float], None] | None = None
) -> dict[str, Any]:
    """Run ``task`` to its end, a stop or an error; the trial's record for ``sweep.json``. Anything
    that goes wrong (a plugin that does not import, a folder that cannot be written) fails this
    trial, never the worker or the sweep."""
    sys.path[:0] = [p for p in task.paths if p not in sys.path]
    try:
        return _run(task, should_stop, on_metric)
    except Exception as exc:  # noqa: BLE001 - see above
        return {
            "id": task.id,
            "state": "failed",
            "error": f"{type(exc).__name__}: {exc}",
            "step": 0,
            "final": None,
            "recent": None,
            "best": None,
        }


def _run(
    task: TrialTask, should_stop: Callable[[], bool], on_metric: Callable[[int, float], None] | None
) -> dict[str, Any]:
    from workbench.core.driver import Run

    limit_threads(task.threads)
    out = Path(task.out_dir)
    resume = out if (out / CHECKPOINT_NAME).is_file() else None
    sink = TrialSink(task.metric, should_stop, on_metric)
    cfg = from_dict(task.manifest.config_class(), task.values)
    run = Run(
        task.manifest,
        cfg,
        device=task.device,
        out_dir=out,
        sinks=[sink],
        max_steps=task.steps,
        resume_from=resume,
        checkpoint_every_s=task.checkpoint_every_s,
        on_nonfinite="stop",
    )
    sink.stop = run.stop
    status = run.run()
    if run.error and out.is_dir():
        (out / "error.log").write_text(run.error)
    return {
        "id": task.id,
        "state": str(status.state),
        "error": status.message if status.state == "failed" else "",
        "step": status.step,
        "device": status.device,
        **metric_figures(out, task.metric, task.mode),
    }
