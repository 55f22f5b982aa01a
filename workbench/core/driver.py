"""The run driver: the one loop that moves a trainer generator forward, in the GUI and headless.

A trainer is ``train(cfg, ctx) -> Generator[Snapshot, None, None]``. At each yield the driver
hands the snapshot to every sink, honours pause / step / stop, saves checkpoints, applies the
live changes the mailbox holds to ``ctx.config`` and queues the actions asked for since, which
the trainer drains with ``ctx.events()``.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import math
import os
import platform
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.actions import Event, find_action
from workbench.core.checkpoint import (
    CHECKPOINT_NAME,
    HISTORY_KEEP,
    keep_in_history,
    load_checkpoint,
    run_folder,
    save_checkpoint,
)
from workbench.core.config import apply_live, to_dict
from workbench.core.device import resolve_device
from workbench.core.mailbox import Mailbox
from workbench.core.manifest import Manifest
from workbench.core.sinks import CsvSink, Sink
from workbench.core.snapshot import Snapshot
from workbench.core.status import State, Status

SAFE_POINT_WAIT_S = 0.5  # after Stop, how long a trainer between safe points may run on to reach one
_VERSIONED = ("workbench", "torch", "numpy", "gymnasium", "ale-py", "PySide6-Essentials", "pyqtgraph")


class RunContext:
    """What a trainer gets besides its first config: the config in effect now, the actions asked
    for, the device, the output folder, a state to resume from, and a way to register what a
    checkpoint holds."""

    def __init__(
        self, cfg: Any, device: str, out_dir: Path | None, resume: dict[str, Any] | None, stop_event: threading.Event
    ) -> None:
        self.config = cfg  # the driver replaces it, validated, when a live change lands
        self._device_choice = device
        self._device: str | None = None if device == "auto" else resolve_device(device)
        self.out_dir = out_dir
        self.resume = resume
        self._stop = stop_event
        self._events: list[Event] = []
        self.state_fn: Callable[[], dict[str, Any]] | None = None
        # False while the trainer stands where its state cannot be continued exactly (mid-episode):
        # checkpoints wait for the next yield where it is True, and so does a stop at max_steps
        self.checkpoint_ok = True
        self.resume_dir: Path | None = None  # on resume: the checkpoint's folder, with files saved beside it

    def events(self) -> list[Event]:
        """The actions that arrived since the last call, oldest first (each is handed out once)."""
        events, self._events = self._events, []
        return events

    def deliver(self, event: Event) -> None:
        """Queue an action for the trainer (the driver calls this between yields)."""
        self._events.append(event)

    @property
    def device(self) -> str:
        """ "cpu" or "cuda"; ``auto`` is resolved on first use, so numpy-only trainers never
        pay for importing torch."""
        if self._device is None:
            self._device = resolve_device(self._device_choice)
        return self._device

    @property
    def device_used(self) -> str:
        """The device once a trainer asked for it; a trainer that never asks runs on the CPU."""
        return self._device or "cpu"

    def keep_state(self, fn: Callable[[], dict[str, Any]]) -> None:
        """Register a function returning everything needed to resume (state dicts, step, RNG)."""
        self.state_fn = fn

    def should_stop(self) -> bool:
        """For long inner loops between yields: True once stop was asked for."""
        return self._stop.is_set()

    def save_array(self, name: str, arr: np.ndarray) -> Path | None:
        """Save ``name``.npy in the run folder (atomically); does nothing without a folder."""
        if self.out_dir is None:
            return None
        path = self.out_dir / f"{name}.npy"
        tmp = self.out_dir / f".{name}.tmp.npy"
        np.save(tmp, np.asarray(arr))
        os.replace(tmp, path)
        return path

    def path(self, name: str) -> Path | None:
        """A path in the run folder for files a plugin writes itself, or None without a folder."""
        return None if self.out_dir is None else self.out_dir / name


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


class Run:
    """One trainer from start to end: sinks, live changes, pause/step/stop, checkpoints.

    Args:
        manifest: the plugin.
        cfg: its config instance.
        device: auto, cpu or cuda.
        out_dir: where config.json, metrics.csv and checkpoints go (None: keep nothing on disk).
        sinks: extra sinks (history for curves, latest arrays for views, recorders).
        max_steps: stop once a snapshot's step reaches this.
        resume_from: a checkpoint file or run folder to continue from.
        checkpoint_every_s: seconds between automatic checkpoints.
        keep_checkpoints: how many checkpoints the run folder's history (checkpoints/) keeps.
        on_nonfinite: "pause" (the GUI) or "stop" (headless) when a scalar is NaN or inf.
        parent: for a fork, ``{"run": path, "step": s}`` of the run and checkpoint it started from.
    """

    def __init__(
        self,
        manifest: Manifest,
        cfg: Any,
        *,
        device: str = "auto",
        out_dir: str | Path | None = None,
        sinks: list[Sink] | tuple[Sink, ...] = (),
        max_steps: int | None = None,
        resume_from: str | Path | None = None,
        checkpoint_every_s: float = 60.0,
        on_nonfinite: str = "pause",
        parent: dict[str, Any] | None = None,
        keep_checkpoints: int = HISTORY_KEEP,
    ) -> None:
        self.manifest = manifest
        self.cfg = cfg
        self.initial_cfg = cfg
        self.device_choice = device
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.sinks = list(sinks)
        self.max_steps = max_steps
        self.resume_from = resume_from
        self.checkpoint_every_s = checkpoint_every_s
        self.on_nonfinite = on_nonfinite
        self.parent = parent
        self.keep_checkpoints = keep_checkpoints
        self._inbox = Mailbox()
        self._asked: list[tuple[str, dict[str, Any]]] = []  # actions not yet handed to the trainer
        self.changes: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.error = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._checkpoint_asked = threading.Event()
        self._steps_allowed = 0
        self._state, self._message = State.IDLE, ""
        self._step, self._rate = 0, 0.0
        self._progress: float | None = None
        self._started = self._paused_total = 0.0
        self._paused_at: float | None = None
        self._last_t: float | None = None
        self._ctx: RunContext | None = None
        self.poisoned_at: int | None = None  # step of the first non-finite scalar: later checkpoints are refused
        self.resume_failed = False  # the checkpoint could not be resumed: nothing was written
        self._stop_seen: float | None = None

    # ---- controls (any thread) ----
    def stop(self) -> None:
        with self._lock:
            if self._state in (State.RUNNING, State.PAUSED):
                self._state = State.STOPPING
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        """Hold the run at its next snapshot (before it starts: at its first)."""
        with self._lock:
            if self._state in (State.IDLE, State.RUNNING):
                self._running.clear()

    def unpause(self) -> None:
        with self._lock:
            self._running.set()

    def change(self, **values: Any) -> None:
        """Live changes to settings, applied at the next snapshot (checked then)."""
        self._inbox.put(**values)

    def act(self, name: str, **payload: Any) -> None:
        """Ask for a declared action; ValueError at once when it or its payload is not allowed."""
        checked = find_action(self.cfg, name).check(payload)
        with self._lock:
            self._asked.append((name, checked))

    def step_once(self) -> None:
        """While paused, let exactly one more snapshot through."""
        with self._lock:
            self._steps_allowed += 1
            self._running.set()

    def request_checkpoint(self) -> None:
        self._checkpoint_asked.set()

    def status(self) -> Status:
        with self._lock:
            now = time.perf_counter()
            paused = self._paused_total + (now - self._paused_at if self._paused_at else 0.0)
            elapsed = (now - self._started - paused) if self._started else 0.0
            device = self._ctx.device_used if self._ctx is not None else ""
            return Status(self._state, self._step, self._rate, elapsed, device, self._progress, self._message)

    # ---- the loop (one thread) ----
    def run(self) -> Status:
        """Drive the trainer to its end, a stop, ``max_steps`` or an error; returns the final status."""
        self._started = time.perf_counter()
        self._set(State.RUNNING)
        sinks = list(self.sinks)
        gen = None
        started = False  # the run folder was written to
        try:
            checkpoint = None if self.resume_from is None else load_checkpoint(self.resume_from, self.manifest.id)
            if self.out_dir is not None:
                self.out_dir.mkdir(parents=True, exist_ok=True)
            ctx = RunContext(self.cfg, self.device_choice, self.out_dir, checkpoint and checkpoint["state"], self._stop)
            self._ctx = ctx
            if self.resume_from is not None:
                ctx.resume_dir = run_folder(self.resume_from)
            gen = self.manifest.trainer_function()(self.cfg, ctx)
            if checkpoint is None:
                started = self._start_files(sinks, None)
            else:  # until its first snapshot a resumed run is at its checkpoint's step, a final save too
                with self._lock:
                    self._step = int(checkpoint.get("step") or 0)
            try:
                snap = self._first_snapshot(gen, checkpoint)
            except StopIteration:  # resumed at the end of its budget: nothing to train, still a whole run
                if checkpoint is not None:
                    started = self._start_files(sinks, checkpoint.get("step"))
                raise
            if checkpoint is not None:  # a resumed trainer has loaded its state: only now touch the folder
                started = self._start_files(sinks, checkpoint.get("step"))
            last_checkpoint = time.perf_counter()
            while True:
                self._deliver(snap, sinks)
                if self.max_steps is not None and snap.step >= self.max_steps and ctx.checkpoint_ok:
                    break
                self._wait_while_paused()
                if self._stop.is_set() and (ctx.checkpoint_ok or self._stop_waited() > SAFE_POINT_WAIT_S):
                    break  # a trainer between safe points gets a moment to reach one, so Stop keeps its work
                due = self._checkpoint_asked.is_set() or time.perf_counter() - last_checkpoint > self.checkpoint_every_s
                if due and ctx.checkpoint_ok:
                    self._checkpoint_asked.clear()
                    for sink in sinks:  # a checkpoint never covers rows that are not on disk
                        sink.flush()
                    self.save_checkpoint()
                    last_checkpoint = time.perf_counter()
                self._take_changes(snap.step)
                self._take_actions(snap.step)
                snap = next(gen)
        except StopIteration:
            pass
        except Exception as exc:  # noqa: BLE001 - a failing trainer ends its run, never the app
            self.error = self.error or traceback.format_exc()
            if not self.resume_failed:
                self._set(State.FAILED, f"{'trainer' if started else 'run'} failed: {_one_line(exc)}")
        finally:
            if gen is not None:
                try:
                    gen.close()
                except Exception:  # noqa: BLE001
                    self.error = self.error or traceback.format_exc()
            trainer_failed = self._state == State.FAILED
            # sinks first: the last rows reach files and views before the final checkpoint,
            # whose first save imports torch (0.8 s)
            for sink in sinks:
                try:
                    sink.close()
                except Exception:  # noqa: BLE001 - one sink failing must not keep others open
                    self.error = self.error or traceback.format_exc()
                    self._set(State.FAILED, "a sink failed to close: " + self.error.strip().splitlines()[-1])
            if not trainer_failed:
                self._finish()
            if started:
                self._write_config()
        return self.status()

    def _stop_waited(self) -> float:
        """Seconds since Stop was first seen by the loop."""
        if self._stop_seen is None:
            self._stop_seen = time.perf_counter()
        return time.perf_counter() - self._stop_seen

    def _start_files(self, sinks: list[Sink], resume_step: int | None) -> bool:
        """metrics.csv (cut back to the checkpoint's step when resuming) and config.json."""
        if self.out_dir is None:
            return False
        sinks.append(CsvSink(self.out_dir / "metrics.csv", keep_through=resume_step))
        self._write_config()
        return True

    def _first_snapshot(self, gen: Any, checkpoint: dict[str, Any] | None) -> Snapshot:
        """The trainer's first snapshot; a resumed trainer that cannot load its checkpoint fails
        here, before anything in the run folder is touched."""
        try:
            first: Snapshot = next(gen)
            return first
        except StopIteration:
            raise
        except Exception as exc:  # noqa: BLE001 - resuming, any failure means the checkpoint cannot be used
            if checkpoint is not None:
                self.error = traceback.format_exc()
                self.resume_failed = True
                self._set(State.FAILED, f"cannot resume from {self.resume_from}: {_one_line(exc)}")
            raise

    def save_checkpoint(self) -> Path | None:
        """Write the trainer's registered state to the run folder (call on the trainer thread).

        After a non-finite scalar the model may hold NaNs: the last good checkpoint is kept."""
        if (
            self.out_dir is None
            or self._ctx is None
            or self._ctx.state_fn is None
            or self.poisoned_at is not None
            or not self._ctx.checkpoint_ok
        ):
            return None
        path = save_checkpoint(
            self.out_dir / CHECKPOINT_NAME, self._ctx.state_fn(), self.manifest.id, to_dict(self.cfg), step=self._step
        )
        keep_in_history(path, self._step, self.keep_checkpoints)
        return path

    def _finish(self) -> None:
        self.save_checkpoint()
        with self._lock:
            if self._state in (State.RUNNING, State.STOPPING):
                self._state = State.STOPPED if self._stop.is_set() else State.FINISHED

    def _set(self, state: State, message: str | None = None) -> None:
        with self._lock:
            self._state = state
            if message is not None:
                self._message = message

    def _deliver(self, snap: Snapshot, sinks: list[Sink]) -> None:
        snap.scalars = {k: float(v) for k, v in snap.scalars.items()}
        for sink in sinks:
            sink.write(snap)
        now = time.perf_counter()
        with self._lock:
            if self._last_t is not None and now > self._last_t and snap.step > self._step:
                rate = (snap.step - self._step) / (now - self._last_t)
                self._rate = rate if self._rate == 0.0 else 0.9 * self._rate + 0.1 * rate
            self._last_t, self._step, self._progress = now, snap.step, snap.progress
        bad = [k for k, v in snap.scalars.items() if not math.isfinite(v)]
        if bad:
            message = f"{bad[0]} is {snap.scalars[bad[0]]} at step {snap.step}"
            if self.poisoned_at is None:
                self.poisoned_at = snap.step
            if self.on_nonfinite == "stop":
                raise FloatingPointError(message)
            self._set(
                State.PAUSED, message + ": paused; checkpoints from here on are not saved (the last good one is kept)"
            )
            self._running.clear()

    def _wait_while_paused(self) -> None:
        with self._lock:
            if self._steps_allowed > 0:
                self._steps_allowed -= 1
                self._running.clear()
                return
        if self._running.is_set():
            return
        with self._lock:
            self._paused_at = time.perf_counter()
            if self._state == State.RUNNING:
                self._state = State.PAUSED
        self._running.wait()
        with self._lock:
            self._paused_total += time.perf_counter() - self._paused_at
            self._paused_at = None
            self._last_t = None  # the pause is no part of the rate
            if self._state == State.PAUSED:
                self._state = State.RUNNING
            if self._steps_allowed > 0:
                self._steps_allowed -= 1
                self._running.clear()

    def _take_changes(self, step: int) -> None:
        """Apply pending live changes to the config the trainer reads; log and mark them."""
        changes = self._inbox.take()
        if not changes:
            return
        try:
            new = apply_live(self.cfg, changes)
        except ValueError as exc:
            self._set(self._state, f"live change refused: {exc}")
            return
        previous = {key: getattr(self.cfg, key) for key in changes}
        self.cfg = new
        if self._ctx is not None:
            self._ctx.config = new
        self.changes.append({"step": step, "changes": changes, "previous": previous})
        for sink in self.sinks:
            sink.mark(step, changes, previous)
        if self.out_dir is not None:
            self._write_config()

    def _take_actions(self, step: int) -> None:
        """Hand the actions asked for to the trainer, stamped with this step, and log them."""
        with self._lock:
            asked, self._asked = self._asked, []
        if not asked:
            return
        for name, payload in asked:
            event = Event(name, payload, step)
            if self._ctx is not None:
                self._ctx.deliver(event)
            self.events.append(event.to_dict())
        if self.out_dir is not None:
            self._write_config()

    def _write_config(self) -> None:
        """config.json, written atomically; a failure to write it is reported, never raised, so
        it cannot hide why a run ended."""
        if self.out_dir is None:
            return
        try:
            self._write_config_file(self.out_dir)
        except OSError as exc:
            self.error = self.error or traceback.format_exc()
            if self._state != State.FAILED:
                self._set(State.FAILED, f"could not write {self.out_dir / 'config.json'}: {_one_line(exc)}")

    def _write_config_file(self, out_dir: Path) -> None:
        doc = {
            "plugin": self.manifest.id,
            "config": to_dict(self.initial_cfg),
            "final_config": to_dict(self.cfg),
            "changes": self.changes,
            "events": self.events,
            "nonfinite_at": self.poisoned_at,
            "device": self._ctx.device_used if self._ctx is not None else None,
            "max_steps": self.max_steps,
            "resumed_from": None if self.resume_from is None else str(self.resume_from),
            "parent": self.parent,
            "state": self._state,
            "versions": package_versions(),
            "written": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }
        tmp = out_dir / ".config.json.tmp"
        try:
            tmp.write_text(json.dumps(doc, indent=2, default=str))
            os.replace(tmp, out_dir / "config.json")
        finally:
            tmp.unlink(missing_ok=True)


def _one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for status lines and the CLI."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"
