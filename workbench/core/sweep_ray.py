"""The Ray backend: the same trials on a local Ray instance or a cluster.

A sweep with a scheduler (ASHA) runs under Ray Tune (``sweep_tune``), which decides from the
metric when to stop a trial. Any other sweep runs each trial as a plain Ray task: Tune's
controller costs about a third of a core and seconds of start-up per sweep (each trial an actor
that imports Tune), which on a small machine made eight short trials take twice as long as the
local pool; a task starts on a worker Ray has already started.

A task first yields its worker's pid (the sweep shows it, like the pool's), then the trial's
record. A task whose worker dies is submitted again, once, and resumes from the checkpoint in
its folder. A stop (Ctrl+C, the app's Stop) is a file in the sweep folder that every trial
checks at each step: it ends at that step with its checkpoint and its task returns, which
``ray.cancel`` cannot promise (it reports a task cancelled before the task has finished).
"""

from __future__ import annotations

import os
import threading
from collections import Counter, deque
from pathlib import Path
from typing import Any

import ray

from workbench.core.sweep_spec import SweepError, SweepSpec
from workbench.core.sweep_trial import TrialTask, after_lost_worker, run_trial

RETRIES = 1
"""Times a trial whose worker died is submitted again."""
STOP_FILE = ".stop"
"""In the sweep folder while the sweep is stopping: each trial ends at its next step."""


@ray.remote(max_retries=0)
def _attempt(task: TrialTask, stop_file: str) -> Any:
    """One attempt at a trial on a Ray worker: yields the worker's pid, then the trial's record.

    The trial runs on a thread so that an interrupt (Ctrl+C reaches the worker too) lands here
    and stops it at a step instead of cutting it off mid-step."""
    yield os.getpid()
    stop = threading.Event()
    record: dict[str, Any] = {}

    def should_stop() -> bool:
        return stop.is_set() or os.path.exists(stop_file)

    thread = threading.Thread(target=lambda: record.update(run_trial(task, should_stop)), name="workbench-trial")
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.2)
        except KeyboardInterrupt:
            stop.set()
    yield record


def gpus_per_trial(device: str) -> int:
    """1 for a trial that runs on CUDA: asked for, or ``auto`` on a cluster with a GPU (the
    cluster says whether its workers have one, not this process's torch, left unimported)."""
    has_gpu = ray.cluster_resources().get("GPU", 0) >= 1  # type: ignore[no-untyped-call]
    if device == "cuda" and not has_gpu:
        raise SweepError("--device cuda: the Ray cluster has no GPU; use auto or cpu")
    return int(device != "cpu" and has_gpu)


class RayBackend:
    """Runs trials on Ray: ``workers`` at once, under Tune when the spec has a scheduler.

    Without ``address`` it starts a local Ray instance with one CPU per worker (or uses the one
    this process already started); with it, it joins that cluster.
    """

    def __init__(self, spec: SweepSpec, workers: int, address: str | None, device: str) -> None:
        self.spec, self.workers, self.address, self.device = spec, workers, address, device
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, tasks: list[TrialTask], report: Any) -> None:
        started = not ray.is_initialized()
        if started:
            if self.address is None:
                ray.init(num_cpus=self.workers * tasks[0].threads, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.address, log_to_driver=False)
        try:
            if self.spec.scheduler == "none":
                self._run_tasks(tasks, report)
            else:
                from workbench.core.sweep_tune import TuneTrials

                TuneTrials(self.spec, self.workers, self.device, self._stop).run(tasks, report)
        finally:
            if started:
                ray.shutdown()

    def _run_tasks(self, tasks: list[TrialTask], report: Any) -> None:
        stop_file = Path(tasks[0].out_dir).parent / STOP_FILE
        stop_file.unlink(missing_ok=True)
        attempt = _attempt.options(num_cpus=tasks[0].threads, num_gpus=gpus_per_trial(self.device))
        pending, attempts = deque(tasks), Counter[str]()
        running: dict[Any, TrialTask] = {}
        try:
            while running or (pending and not self._stop.is_set()):
                while pending and len(running) < self.workers and not self._stop.is_set():
                    task = pending.popleft()
                    attempts[task.id] += 1
                    running[attempt.remote(task, str(stop_file))] = task
                    report({"id": task.id, "state": "running", "attempts": attempts[task.id]})
                if self._stop.is_set():
                    stop_file.touch()
                ready: list[Any] = ray.wait(list(running), num_returns=1, timeout=0.5)[0]
                for gen in ready:
                    task = running[gen]
                    try:
                        news = ray.get(next(gen))
                    except ray.exceptions.RayError as exc:
                        del running[gen]
                        self._died(task, attempts[task.id], exc, pending, report)
                        continue
                    if isinstance(news, int):
                        report({"id": task.id, "state": "running", "pid": news})
                    else:
                        del running[gen]
                        report(news)
        finally:
            stop_file.unlink(missing_ok=True)

    def _died(self, task: TrialTask, attempt: int, exc: Exception, pending: deque[TrialTask], report: Any) -> None:
        why = (
            "its Ray worker died"
            if isinstance(exc, ray.exceptions.WorkerCrashedError)
            else last_line(exc, type(exc).__name__)
        )
        record = after_lost_worker(task.id, why, attempt, RETRIES, self._stop.is_set())
        if record["state"] == "retrying":
            pending.appendleft(task)
        report(record)


def last_line(error: object, default: str) -> str:
    """The last non-blank line of an error's text (a Ray error ends with its cause), or ``default``."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else default
