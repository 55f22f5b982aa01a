"""Trials under Ray Tune, for a sweep whose scheduler (ASHA) stops poor trials early.

Each trial is a class Trainable whose ``step()`` hands Tune the metric values the run reported
since the last one, as a running mean over the last ``RECENT`` values keyed by the run's own
``step`` (ASHA's clock), while ``run_trial`` drives the run on a thread beside it. The run waits
at each of ASHA's rungs until Tune has judged the value it reached there, so a trial ASHA stops
ends at its rung, not some seconds of training past it. When ASHA, a stop or the end of the
sweep ends a trial, ``cleanup()`` stops its run at the next step and waits for its checkpoint,
so the run folder ends ``stopped``, not cut off. A trial whose actor dies is started again by
Tune (``max_failures``) and resumes from its folder's checkpoint.
"""

from __future__ import annotations

import collections
import datetime as _dt
import json
import math
import os
import queue
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TUNE_DISABLE_SIGINT_HANDLER", "1")  # Ctrl+C goes to the sweep, which stops trials itself
os.environ.setdefault("TUNE_DISABLE_STRICT_METRIC_CHECKING", "1")  # a trial may end before it logs the metric
os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")


from ray import tune
from ray.tune.schedulers import ASHAScheduler

from workbench.core.runs import CONFIG_NAME, read_curves
from workbench.core.sweep_ray import gpus_per_trial, last_line
from workbench.core.sweep_spec import SweepSpec
from workbench.core.sweep_trial import RECENT, TrialTask, run_trial, series_figures

REPORT_EVERY_S = 0.5
"""Seconds between results handed to Tune: each costs its controller a round of bookkeeping."""
REDUCTION = 3
"""ASHA keeps the best third of the trials at each rung."""


def rungs(steps: int) -> list[int]:
    """The steps at which ASHA judges the trials of a ``steps`` budget, placed as Ray's
    ASHAScheduler places them for the grace period given here (the first rung)."""
    grace = max(1, steps // REDUCTION**2)
    count = int(math.log(steps / grace) / math.log(REDUCTION) + 1)
    return [grace * REDUCTION**k for k in range(count)]


class TrialTrainable(tune.Trainable):
    """One sweep trial as Tune runs it; ``tasks`` (by id) come through ``tune.with_parameters``."""

    def setup(
        self, config: dict[str, Any], tasks: dict[str, TrialTask] | None = None, pauses: tuple[int, ...] = ()
    ) -> None:
        """``pauses``: the steps (ASHA's rungs) at which the run waits for Tune's verdict."""
        assert tasks is not None
        if threading.current_thread() is threading.main_thread():
            # Ctrl+C in a terminal reaches the whole process group, actors included: the sweep
            # gets it and stops each trial at a step, with its checkpoint, through cleanup()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        self._tasks, self._pauses = tasks, pauses
        self._next(config)

    def reset_config(self, new_config: dict[str, Any]) -> bool:
        """The next trial on this actor: a worker already started (imports done) is reused."""
        self.cleanup()  # a trial the scheduler stopped may still be running: it ends at its step first
        self._next(new_config)
        return True

    def _next(self, config: dict[str, Any]) -> None:
        """The trial this actor runs next, started by the first ``step()``: Tune may set up an
        actor for a trial, then run that trial on another (a reused one) and discard this one,
        and a run started here would then be a second run of one trial, in the same folder."""
        self.task = self._tasks[config["trial"]]
        self._thread: threading.Thread | None = None

    def _start(self) -> None:
        # (step, value, whether the run now waits at a rung); None once the run has ended
        self._news: queue.Queue[tuple[int, float, bool] | None] = queue.Queue()
        self._stop = threading.Event()
        self._go = threading.Event()  # lets a run waiting at a rung go on
        self._waiting = False  # the last result handed Tune a rung's value, and the run waits
        self._rungs_passed = 0
        self._values: collections.deque[float] = collections.deque(maxlen=RECENT)
        self._step = 0
        self._record: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._drive, daemon=True, name="workbench-trial")
        self._thread.start()

    def _drive(self) -> None:
        try:
            self._record = run_trial(self.task, self._stop.is_set, self._on_metric)
        finally:
            self._news.put(None)

    def _on_metric(self, step: int, value: float) -> None:
        """On the run's thread: pass the value on, and at a rung wait until Tune asks for more
        (``step()``) or ends the trial (``cleanup()``), which then stops the run at this step."""
        passed = sum(1 for rung in self._pauses if rung <= step)  # rungs are increasing
        at_rung, self._rungs_passed = passed > self._rungs_passed, passed
        if at_rung:
            self._go.clear()
        self._news.put((step, value, at_rung))
        if at_rung:
            self._go.wait()

    def step(self) -> dict[str, Any]:
        if self._thread is None:
            self._start()
        assert self._thread is not None
        if self._waiting:  # Tune kept the trial on at its rung
            self._waiting = False
            self._go.set()
        news = [self._news.get()]
        until = time.monotonic() + REPORT_EVERY_S
        while news[-1] is not None and not news[-1][2] and time.monotonic() < until:
            try:
                news.append(self._news.get(timeout=max(0.0, until - time.monotonic())))
            except queue.Empty:
                break
        for item in news:
            if item is not None:
                self._step = item[0]
                self._values.append(item[1])
                self._waiting = item[2]
        result: dict[str, Any] = {"step": self._step}
        if self._values:
            result[self.task.metric] = sum(self._values) / len(self._values)
        if None in news:
            self._thread.join()
            result.update(done=True, record=self._record)
        return result

    def cleanup(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._go.set()
            self._thread.join()


class _DriverOnly:
    """Tune pickles its callbacks and stoppers with the experiment; these hold this sweep's live
    objects (events, locks), which a copy leaves out: the sweep itself resumes, not Tune."""

    def __getstate__(self) -> dict[str, Any]:
        return {}


class _Records(_DriverOnly, tune.Callback):
    """Tells the sweep when each trial starts, which process runs it (from Tune's first result
    of each attempt, as the local pool does) and how it ended."""

    def __init__(self, backend: TuneTrials, report: Any) -> None:
        self.backend, self.report = backend, report
        self._pids: dict[str, int] = {}
        self.started: set[str] = set()
        self.ended: set[str] = set()

    def on_trial_start(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self.started.add(trial.config["trial"])
        self.report({"id": trial.config["trial"], "state": "running", "attempts": trial.num_failures + 1})

    def on_trial_result(
        self, iteration: int, trials: list[Any], trial: Any, result: dict[str, Any], **info: Any
    ) -> None:
        trial_id, pid = trial.config["trial"], result.get("pid")
        if pid is not None and self._pids.get(trial_id) != pid and not result.get("done"):
            self._pids[trial_id] = pid
            self.report({"id": trial_id, "state": "running", "pid": pid})

    def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self.ended.add(trial.config["trial"])
        record = (trial.last_result or {}).get("record")
        self.report(record if record else self.backend.ended_early(trial.config["trial"]))

    def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self.ended.add(trial.config["trial"])
        error = last_line(trial.get_error() or "", "its Ray actor failed")
        self.report({"id": trial.config["trial"], "state": "failed", "error": error})


class _StopAll(_DriverOnly, tune.Stopper):
    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        return self.event.is_set()

    def stop_all(self) -> bool:
        return self.event.is_set()


class TuneTrials:
    """Runs trials with Ray Tune on the Ray instance this process is connected to: ``workers``
    at once, under ASHA when the spec asks for it; ``stop`` (an event) ends them all."""

    def __init__(self, spec: SweepSpec, workers: int, device: str, stop: threading.Event) -> None:
        self.spec, self.workers, self.device, self._stop = spec, workers, device, stop
        self._tasks: dict[str, TrialTask] = {}

    def ended_early(self, trial_id: str) -> dict[str, Any]:
        """The record of a trial Tune stopped before its end: pruned by ASHA unless the sweep
        was stopped (then it resumes next time), or finished when its run ended on its own as
        ASHA's last rung stopped it. Read again once Tune is done, when its run has ended."""
        self._early.add(trial_id)
        task = self._tasks[trial_id]
        state = "stopped" if self._stop.is_set() else "pruned"
        if _run_state(task.out_dir) == "finished":
            state = "finished"
        curves = read_curves(task.out_dir)  # read once: its last step and its metric's figures
        steps = curves.get("step", np.empty(0))
        return {
            "id": trial_id,
            "state": state,
            "error": "",
            "step": int(steps[-1]) if len(steps) else 0,
            **series_figures(curves.get(task.metric, np.empty(0)), task.mode),
        }

    def _order(self, ids: list[str]) -> list[str]:
        """The trials in the order Tune starts them: shuffled (the same way each time) under
        ASHA, whose first trials go on unchallenged, so they are not all one end of a grid."""
        if self.spec.scheduler == "asha":
            random.Random(0).shuffle(ids)
        return ids

    def run(self, tasks: list[TrialTask], report: Any) -> None:
        self._tasks = {t.id: t for t in tasks}
        self._early: set[str] = set()
        records = self._fit(tasks, report)
        # a stop of the whole sweep ends the running trials without Tune calling them complete
        self._early |= records.started - records.ended
        for trial_id in sorted(self._early):
            report(self.ended_early(trial_id))

    def _fit(self, tasks: list[TrialTask], report: Any) -> _Records:
        spec = self.spec
        gpus = gpus_per_trial(self.device)
        scheduler, pauses = None, []
        if spec.scheduler == "asha":
            assert spec.steps is not None
            judged_at = rungs(spec.steps)
            pauses = [step for step in judged_at if step < spec.steps]  # a run ends at its budget anyway
            scheduler = ASHAScheduler(
                time_attr="step",
                metric=spec.metric,
                mode=spec.mode,
                max_t=spec.steps,
                grace_period=judged_at[0],
                reduction_factor=REDUCTION,
            )
        trainable = tune.with_resources(
            tune.with_parameters(TrialTrainable, tasks=self._tasks, pauses=tuple(pauses)),
            {"cpu": tasks[0].threads, "gpu": gpus},
        )
        out = Path(tasks[0].out_dir).parent.resolve()
        records = _Records(self, report)
        tuner = tune.Tuner(
            trainable,
            param_space={"trial": tune.grid_search(self._order([t.id for t in tasks]))},
            tune_config=tune.TuneConfig(scheduler=scheduler, max_concurrent_trials=self.workers, reuse_actors=True),
            run_config=tune.RunConfig(
                name=_dt.datetime.now().strftime("%Y%m%d-%H%M%S"),
                storage_path=str(out / ".ray"),
                stop=_StopAll(self._stop),
                callbacks=[records],
                verbose=0,
                failure_config=tune.FailureConfig(max_failures=1),
                checkpoint_config=tune.CheckpointConfig(checkpoint_at_end=False),
            ),
        )
        tuner.fit()
        return records


def _run_state(out_dir: str) -> str | None:
    """The state the run folder's config.json gives (None while there is none to read)."""
    try:
        doc = json.loads((Path(out_dir) / CONFIG_NAME).read_text())
    except (OSError, ValueError):
        return None
    return doc.get("state") if isinstance(doc, dict) else None
