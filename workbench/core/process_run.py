"""A run in a child process, with the same controls as ``Run``.

A pure-Python trainer and a GUI painting at 30 Hz share one GIL when they share a process, so
the trainer ran at 0.6 of its headless speed beside a busy panel. In a child process the
trainer keeps its own interpreter; snapshots come back through a pipe into the caller's
sinks (scalars are never dropped), and controls and live changes go the other way.

Events are written to the pipe by the thread that makes them. A ``multiprocessing.Queue``
hands each message to a feeder thread instead, and the GIL handoffs to that thread cost a
pure-Python trainer 3-5% of its speed; a direct write costs nothing measurable. A parent
that falls behind makes the writer wait rather than letting a buffer grow.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, TypeGuard

from workbench.core.actions import find_action
from workbench.core.control import RunControl
from workbench.core.driver import Run
from workbench.core.manifest import Manifest
from workbench.core.sinks import Sink
from workbench.core.snapshot import Snapshot
from workbench.core.status import Status

FLUSH_EVERY_S = 0.03
STATUS_EVERY_S = 0.05  # status while the trainer sends nothing and a user has just acted
IDLE_STATUS_EVERY_S = 0.5  # and otherwise, when the trainer is paused or between slow steps
ACTED_S = 1.0  # how long after a command the status stays quick
STOP_GRACE_S = 10.0
PIPE_BYTES = 1 << 20  # Linux's unprivileged maximum: a batch with a large image fits without a wait


class _EventPipe:
    """The child's end of the event pipe: whole messages from any thread. Once the parent is
    gone, writes are dropped and ``broken`` is set, so the run can be stopped."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.broken = False
        if sys.platform.startswith("linux"):
            import fcntl

            try:
                fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:
                pass  # a smaller pipe only means more waits

    def put(self, event: tuple[Any, ...]) -> None:
        with self._lock:
            if self.broken:
                return
            try:
                self._conn.send(event)
            except OSError:
                self.broken = True


class _ForwardSink(Sink):
    """In the child: forwards snapshots to the parent in batches of up to ``FLUSH_EVERY_S``,
    each with the run's status.

    Pickling and sending each of thousands of snapshots a second cost the trainer two thirds
    of its speed. A batch keeps every scalar row and, per key, only the newest array (views
    show the latest anyway).
    """

    def __init__(self, events: Any, run: Run, array_keys: frozenset[str] | None = None) -> None:
        self.events = events
        self.run = run
        self.array_keys = array_keys  # None: every array; else only these (what the parent shows)
        self._lock = threading.Lock()
        self._rows: list[tuple[int, dict[str, float], float | None]] = []
        self._arrays: dict[str, Any] = {}
        self._last_flush = time.perf_counter()

    def write(self, snap: Snapshot) -> None:
        with self._lock:
            self._rows.append((snap.step, snap.scalars, snap.progress))
            if self.array_keys is None:
                self._arrays.update(snap.arrays)
            else:
                self._arrays.update((k, v) for k, v in snap.arrays.items() if k in self.array_keys)
        if time.perf_counter() - self._last_flush > FLUSH_EVERY_S:
            self.flush()

    def mark(self, step: int, changes: dict[str, Any], previous: dict[str, Any]) -> None:
        """The mark goes before the batch whose status lists the change: whoever sees the change
        in ``changes`` finds its mark in the sinks."""
        self.events.put(("mark", step, changes, previous))
        self.flush()

    def flush(self) -> None:
        """Send what is held, even nothing: the status goes along."""
        with self._lock:
            rows, arrays = self._rows, self._arrays
            self._rows, self._arrays = [], {}
            self._last_flush = time.perf_counter()
        self.events.put(("batch", rows, arrays, self.run.status(), self.run.changes, self.run.events))

    def quiet_for(self) -> float:
        """Seconds since the last batch."""
        return time.perf_counter() - self._last_flush

    def close(self) -> None:
        self.flush()


def _next_job(commands: Any) -> tuple[Any, dict[str, Any], frozenset[str] | None] | None:
    """The run the parent asks for (its first command); None once the parent is gone."""
    parent = mp.parent_process()
    while parent is None or parent.is_alive():
        try:
            command, job = commands.get(timeout=IDLE_STATUS_EVERY_S)
        except queue.Empty:
            continue
        assert command == "run", command  # ProcessRun sends the run before any control
        return job  # type: ignore[no-any-return]
    return None


def _import_trainer(manifest: Manifest) -> None:
    """Import the trainer's modules (a warm process does it before anyone waits). With torch
    comes torch._dynamo, which torch imports at the first optimizer: as long again as torch."""
    with contextlib.suppress(Exception):  # a trainer that cannot be imported fails in Run, reported
        manifest.trainer_function()
        if "torch" in sys.modules:
            importlib.import_module("torch._dynamo")


def _child(manifest: Manifest, commands: Any, conn: Any) -> None:
    """The child's body: the trainer's imports, then one Run, and a thread that applies the
    parent's commands and reports the status while the trainer sends no batches.

    That thread wakes rarely while the trainer runs: waking at 20 Hz (the GIL handoffs of each
    wake) cost a pure-Python trainer 4% of its speed.
    """
    # SDL (pygame renders Gymnasium's toy-text worlds) otherwise swallows SIGTERM, and the app
    # could not end a trainer that ignores Stop, nor exit while one runs
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    _import_trainer(manifest)
    job = _next_job(commands)
    if job is None:
        return
    cfg, kwargs, array_keys = job
    events = _EventPipe(conn)
    try:
        run = Run(manifest, cfg, **kwargs)
    except Exception:  # noqa: BLE001 - reported to the parent as a failed run
        events.put(("end", Status.failed("could not start"), traceback.format_exc(), [], [], cfg))
        return
    forward = _ForwardSink(events, run, array_keys)
    run.sinks.append(forward)
    done = threading.Event()
    parent = mp.parent_process()

    def serve() -> None:
        acted = time.perf_counter()  # a start counts as acting: the first status comes quickly
        while not done.is_set():
            if events.broken or (parent is not None and not parent.is_alive()):
                run.stop()  # the app was killed: end the run, keep its files
            quick = time.perf_counter() - acted < ACTED_S
            try:
                command, arg = commands.get(timeout=STATUS_EVERY_S if quick else IDLE_STATUS_EVERY_S)
            except queue.Empty:
                command, arg = None, None
            if command is not None:
                acted = time.perf_counter()
                COMMANDS[command](run, arg)
            if forward.quiet_for() >= STATUS_EVERY_S:
                forward.flush()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    status = run.run()
    done.set()
    server.join()
    events.put(("end", status, run.error, run.changes, run.events, run.cfg))


# what the child does with each command from the parent: ``RunControl``'s methods, by name
COMMANDS: dict[str, Any] = {
    "stop": lambda run, _: run.stop(),
    "pause": lambda run, _: run.pause(),
    "unpause": lambda run, _: run.unpause(),
    "step_once": lambda run, _: run.step_once(),
    "request_checkpoint": lambda run, _: run.request_checkpoint(),
    "change": lambda run, values: run.change(**values),
    "act": lambda run, asked: run.act(asked[0], **asked[1]),
}


class TrainerProcess:
    """A spawned child that runs one plugin's trainer: the run's config is its first command.

    Spawned ahead of a Start (``WARM``), it has imported the trainer's modules (torch for the
    torch labs: 0.8 s and more, of a first point's 2 s) by the time the config comes.
    """

    def __init__(self, manifest: Manifest) -> None:
        context = mp.get_context("spawn")  # never fork a process that runs Qt and threads
        self.manifest = manifest
        self.commands = context.Queue()
        self.events, self._child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_child, args=(manifest, self.commands, self._child_end), daemon=True)

    def start(self) -> None:
        """Start the child, once."""
        if self.process.pid is None:
            self.process.start()
            self._child_end.close()  # the child holds its own copy: the pipe ends when the child does


class WarmTrainers:
    """Trainer processes spawned ahead, one per plugin, for the ``keep`` plugins most recently
    asked for: Start then only sends the config (``ProcessRun`` takes the one for its plugin)."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._spares: dict[str, TrainerProcess] = {}  # oldest first

    def prepare(self, manifest: Manifest) -> TrainerProcess:
        """A waiting trainer process for ``manifest`` (spawned unless one waits already)."""
        with self._lock:
            spare = self._spares.pop(manifest.id, None)
            if not _ready_for(spare, manifest):
                spare = TrainerProcess(manifest)
                spare.start()
            self._spares[manifest.id] = spare
            while len(self._spares) > self.keep:
                self._spares.pop(next(iter(self._spares))).process.terminate()
            return spare

    def take(self, manifest: Manifest) -> TrainerProcess | None:
        """The waiting process for ``manifest``, now the caller's; None when there is none."""
        with self._lock:
            spare = self._spares.pop(manifest.id, None)
        return spare if _ready_for(spare, manifest) else None

    def __contains__(self, manifest: Manifest) -> bool:
        """Whether a process waits for ``manifest``."""
        with self._lock:
            return _ready_for(self._spares.get(manifest.id), manifest)


def _ready_for(spare: TrainerProcess | None, manifest: Manifest) -> TypeGuard[TrainerProcess]:
    return spare is not None and spare.manifest == manifest and spare.process.is_alive()


WARM = WarmTrainers()


class ProcessRun:
    """``Run`` in a child process. ``run()`` blocks (call it on a worker thread), feeding the
    child's snapshots into ``sinks`` until the child's run ends.

    Args mirror ``Run``'s, and ``array_keys`` names the arrays to send back (default: all). A
    panel names those its views show: TD control's recording-only value map was a third of the
    bytes it sent. The run takes the plugin's warm process when ``WARM`` holds one.
    """

    def __init__(
        self,
        manifest: Manifest,
        cfg: Any,
        *,
        sinks: list[Sink] | tuple[Sink, ...] = (),
        array_keys: frozenset[str] | None = None,
        **run_kwargs: Any,
    ) -> None:
        self.manifest, self.cfg = manifest, cfg
        self.sinks = list(sinks)
        self.out_dir = Path(run_kwargs["out_dir"]) if run_kwargs.get("out_dir") is not None else None
        self.trainer = WARM.take(manifest) or TrainerProcess(manifest)
        self._commands, self._events, self._process = (
            self.trainer.commands,
            self.trainer.events,
            self.trainer.process,
        )
        self._commands.put(("run", (cfg, run_kwargs, array_keys)))  # first: controls queue up behind it
        self.changes: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.error = ""
        self._lock = threading.Lock()
        self._status = Status.starting("starting the trainer process…")
        self._stop_asked = threading.Event()

    # ---- controls (any thread): the same names as Run's ----
    def stop(self) -> None:
        self._stop_asked.set()
        self._commands.put(("stop", None))

    def pause(self) -> None:
        self._commands.put(("pause", None))

    def unpause(self) -> None:
        self._commands.put(("unpause", None))

    def step_once(self) -> None:
        self._commands.put(("step_once", None))

    def request_checkpoint(self) -> None:
        self._commands.put(("request_checkpoint", None))

    def change(self, **values: Any) -> None:
        self._commands.put(("change", values))

    def act(self, name: str, **payload: Any) -> None:
        """Checked here, so a bad request fails in the caller, as ``Run.act`` does."""
        self._commands.put(("act", (name, find_action(self.cfg, name).check(payload))))

    def status(self) -> Status:
        with self._lock:
            return self._status

    # ---- the pump (one thread) ----
    def run(self) -> Status:
        self.trainer.start()
        waited = 0.0
        try:
            while True:
                if not self._events.poll(0.2):
                    if not self._process.is_alive():
                        return self._died()
                    waited = waited + 0.2 if self._stop_asked.is_set() else 0.0
                    if waited > STOP_GRACE_S:
                        self._process.terminate()
                        return self._died("the trainer did not stop within 10 s and was ended")
                    continue
                try:
                    event = self._events.recv()
                except EOFError:  # the child ended without saying so
                    return self._died()
                kind = event[0]
                if kind == "batch":
                    _, rows, arrays, status, changes, actions = event
                    self._deliver(rows, arrays)
                    with self._lock:
                        self._status, self.changes, self.events = status, changes, actions
                elif kind == "mark":
                    for sink in self.sinks:
                        sink.mark(*event[1:])
                elif kind == "end":
                    final: Status = event[1]
                    self.error, self.changes, self.events, self.cfg = event[2:]
                    with self._lock:
                        self._status = final
                    return final
        finally:
            self._process.join(timeout=5)
            self._events.close()
            for sink in self.sinks:
                sink.close()

    def _deliver(self, rows: list[tuple[int, dict[str, float], float | None]], arrays: dict[str, Any]) -> None:
        last = len(rows) - 1
        for i, (step, scalars, progress) in enumerate(rows):
            snap = Snapshot(step, scalars, arrays if i == last else {}, progress)
            for sink in self.sinks:
                sink.write(snap)

    def _died(self, why: str = "") -> Status:
        self._process.join(timeout=2)
        why = why or f"the trainer process ended unexpectedly (exit code {self._process.exitcode})"
        self.error = self.error or why
        with self._lock:
            self._status = Status.failed(why, last=self._status)
            return self._status


_RUN_IS_A_CONTROL: type[RunControl] = Run
_PROCESS_RUN_IS_A_CONTROL: type[RunControl] = ProcessRun
