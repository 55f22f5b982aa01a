"""The local backend: worker processes on this machine, each running one trial at a time.

Workers are forked from this process where that is safe (the command line, before torch or Qt
are loaded), else by a server process (multiprocessing's ``forkserver``) that imported the
trial code once; either way a worker is ready in milliseconds instead of importing it again (a
second on a small machine, as long as a short tabular trial). The server lives as long as this
process, so a second sweep from the app starts at once. A worker runs trial after trial, so a
trainer that needs torch imports it once per worker, and a numpy-only one never does.

A worker that dies mid-trial (killed, out of memory) is replaced and its trial tried again,
``retries`` times, from the checkpoint in its folder; the other workers carry on undisturbed,
which a ``concurrent.futures`` pool cannot do (one dead worker breaks the whole pool).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from workbench.core.sweep_trial import TrialTask, after_lost_worker, run_trial

Report = Callable[[dict[str, Any]], None]
PRELOAD = ("workbench.core.sweep_trial", "workbench.core.driver")
"""What the server that forks the workers imports once (a module that fails to import is skipped)."""
THREADED = frozenset({"torch", "PySide6", "ray"})
"""Libraries whose threads (OpenMP pools, Qt, Ray) a forked child would inherit half-held."""


def worker_context() -> Any:
    """Plain ``fork`` from a process that is safe to fork (on Linux, one thread and none of the
    libraries that start threads of their own loaded: the command line's case), so a worker has
    the trial code at no cost; else ``forkserver`` with it preloaded (the app, a torch trial);
    else ``spawn``."""
    if sys.platform == "linux" and threading.active_count() == 1 and not THREADED.intersection(sys.modules):
        return multiprocessing.get_context("fork")
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _serve(conn: Any, stop: Any) -> None:
    """A worker's loop: a task in, its record out, until told to end (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the sweep, which stops trials at a step
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(run_trial(task, stop.is_set))


class _Worker:
    def __init__(self, ctx: Any, stop: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, stop), daemon=True, name="workbench-sweep-worker")
        self.process.start()
        child.close()

    def result(self) -> dict[str, Any] | None:
        """The record of the trial it ran, None while it runs; EOFError once the worker died."""
        if self.conn.poll():
            record: dict[str, Any] = self.conn.recv()  # EOFError when the pipe closed with the process
            return record
        if not self.process.is_alive():
            raise EOFError
        return None

    def ask_to_end(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass

    def close(self, wait: bool) -> None:
        if wait:
            self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self.conn.close()


class LocalPool:
    """Runs trials on ``workers`` processes; ``stop()`` (any thread) ends every trial at its next
    step, with its checkpoint, and starts no more."""

    def __init__(self, workers: int | None = None, retries: int = 1) -> None:
        self.workers = workers or default_workers()
        self.retries = retries
        self._ctx = worker_context()
        self._stop = self._ctx.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, tasks: list[TrialTask], report: Report) -> None:
        """Run ``tasks``, calling ``report`` with ``{"id", "state": "running", "pid"}`` as each
        starts and with its record as it ends; returns once all ended, or were stopped."""
        pending, attempts = deque(tasks), Counter[str]()
        idle: list[_Worker] = []
        busy: dict[_Worker, TrialTask] = {}
        try:
            while busy or (pending and not self._stop.is_set()):
                while pending and len(busy) < self.workers and not self._stop.is_set():
                    worker, task = idle.pop() if idle else _Worker(self._ctx, self._stop), pending.popleft()
                    attempts[task.id] += 1
                    worker.conn.send(task)
                    busy[worker] = task
                    report(
                        {"id": task.id, "state": "running", "pid": worker.process.pid, "attempts": attempts[task.id]}
                    )
                multiprocessing.connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy], 1.0)
                for worker, task in list(busy.items()):
                    try:
                        record = worker.result()
                    except (EOFError, OSError):
                        del busy[worker]
                        self._died(worker, task, attempts[task.id], pending, report)
                        continue
                    if record is not None:
                        del busy[worker]
                        idle.append(worker)
                        report(record)
        finally:
            for worker in idle:  # all at once: a worker takes a while to exit (torch)
                worker.ask_to_end()
            for worker in idle:
                worker.close(wait=True)
            for worker in busy:  # only after an exception here (a second Ctrl+C): they resume next time
                worker.close(wait=False)

    def _died(self, worker: _Worker, task: TrialTask, attempt: int, pending: deque[TrialTask], report: Report) -> None:
        worker.process.join(5)
        code = worker.process.exitcode
        worker.close(wait=False)
        why = (
            f"its worker died (exit code {code})"
            if code is None or code >= 0
            else f"its worker was killed ({signal.Signals(-code).name})"
        )
        record = after_lost_worker(task.id, why, attempt, self.retries, self._stop.is_set())
        if record["state"] == "retrying":
            pending.appendleft(task)
        report(record)
