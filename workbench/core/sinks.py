"""Sinks receive every snapshot of a run: in memory for views, on disk for the record.

Every sink has ``write(snapshot)``, ``mark(step, changes, previous)`` for live config changes
(the new values and the ones they replaced) and ``close()``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.snapshot import Snapshot

FLUSH_EVERY_S = 0.25
CURVE_POINTS = 100_000  # points a curve keeps in memory; metrics.csv keeps every value


class Sink:
    """A sink that ignores everything; subclasses override what they need."""

    def write(self, snap: Snapshot) -> None:
        pass

    def mark(self, step: int, changes: dict[str, Any], previous: dict[str, Any]) -> None:
        pass

    def flush(self) -> None:
        """Put what is held on disk (before a checkpoint, so one never covers rows that are not)."""

    def close(self) -> None:
        pass


class _Series:
    """A growing (step, value) buffer that doubles its capacity, so appends are amortised O(1).

    It holds at most ``cap`` points: when full, every other point goes and later points are
    kept at the same stride, so a long run's curves cost bounded memory (the app grew 16 MB a
    minute keeping every scalar of a fast trainer). ``generation`` counts these thinnings.
    """

    def __init__(self, cap: int = CURVE_POINTS) -> None:
        self.steps = np.empty(256, dtype=np.float64)
        self.values = np.empty(256, dtype=np.float64)
        self.n = 0
        self.cap = cap - cap % 2
        self.stride, self._since_kept, self.generation = 1, 0, 0

    def append(self, step: float, value: float) -> None:
        self._since_kept += 1  # points since the last one kept
        if self._since_kept < self.stride:
            return
        if self.n == self.cap:
            self._thin()  # the last kept point stays: the next is kept a new stride after it
            if self._since_kept < self.stride:
                return
        self._since_kept = 0
        if self.n == len(self.steps):
            self.steps = np.resize(self.steps, 2 * self.n)
            self.values = np.resize(self.values, 2 * self.n)
        self.steps[self.n] = step
        self.values[self.n] = value
        self.n += 1

    def _thin(self) -> None:
        """Keep the points at odd indices (the last among them: ``cap`` is even)."""
        half = self.n // 2
        self.steps[:half] = self.steps[1 : self.n : 2]
        self.values[:half] = self.values[1 : self.n : 2]
        self.n, self.stride, self.generation = half, self.stride * 2, self.generation + 1


class HistorySink(Sink):
    """The scalars reported, for curves: every one, thinned evenly past ``curve_points`` per
    key; thread-safe, readers get copies."""

    def __init__(self, curve_points: int = CURVE_POINTS) -> None:
        self._lock = threading.Lock()
        self._curve_points = curve_points
        self._series: dict[str, _Series] = {}
        self._marks: list[tuple[int, dict[str, Any], dict[str, Any]]] = []

    def write(self, snap: Snapshot) -> None:
        with self._lock:
            for key, value in snap.scalars.items():
                series = self._series.get(key)
                if series is None:  # not setdefault: it would build a _Series for every value
                    series = self._series[key] = _Series(self._curve_points)
                series.append(snap.step, value)

    def mark(self, step: int, changes: dict[str, Any], previous: dict[str, Any]) -> None:
        with self._lock:
            self._marks.append((step, dict(changes), dict(previous)))

    def read(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the steps and values of ``key`` (empty when never reported)."""
        with self._lock:
            s = self._series.get(key)
            if s is None:
                return np.empty(0), np.empty(0)
            return s.steps[: s.n].copy(), s.values[: s.n].copy()

    def last(self, key: str) -> float | None:
        """The newest value held for ``key`` (None when never reported), without copying the series."""
        with self._lock:
            s = self._series.get(key)
            return None if s is None or s.n == 0 else float(s.values[s.n - 1])

    def count(self, key: str) -> int:
        with self._lock:
            s = self._series.get(key)
            return 0 if s is None else s.n

    def version(self, key: str) -> tuple[int, int]:
        """(thinnings so far, points held) of ``key``: a view redraws when it changes and starts
        over (a running mean, say) when the first number does."""
        with self._lock:
            s = self._series.get(key)
            return (0, 0) if s is None else (s.generation, s.n)

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._series)

    def marks(self) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        """(step, new values, the values they replaced) of every live change, in order."""
        with self._lock:
            return list(self._marks)

    def clear(self) -> None:
        with self._lock:
            self._series.clear()
            self._marks.clear()


class LatestSink(Sink):
    """The newest array under each key ("latest wins"), with a version counter per key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrays: dict[str, tuple[int, int, np.ndarray]] = {}
        self._version = 0
        self.last: Snapshot | None = None

    def write(self, snap: Snapshot) -> None:
        with self._lock:
            self.last = Snapshot(snap.step, dict(snap.scalars), {}, snap.progress)
            for key, arr in snap.arrays.items():
                self._version += 1
                self._arrays[key] = (self._version, snap.step, arr)

    def read(self, key: str) -> tuple[int, np.ndarray | None]:
        """(version, array) of ``key``; version 0 and None when never reported."""
        with self._lock:
            version, _, arr = self._arrays.get(key, (0, 0, None))
            return version, arr

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._arrays)

    def clear(self) -> None:
        with self._lock:
            self._arrays.clear()
            self.last = None


class CsvSink(Sink):
    """``metrics.csv``: columns ``step`` and ``wall_time`` (seconds since the epoch), then one
    column per scalar, flushed every ``FLUSH_EVERY_S``, before each checkpoint and when closed
    (a flush per row cost a fast trainer 4% of its speed).

    A scalar that first appears mid-run adds a column: the file is rewritten once with the
    wider header. Resuming into a folder that has a ``metrics.csv`` appends to it, after
    dropping the rows past ``keep_through`` (the checkpoint's step: a run killed after its
    last checkpoint logged steps that the resumed run logs again).

    The file only ever holds whole rows: rows wait in memory and go to disk in one write; a
    write that fails (a full disk) is cut back to the last whole row before the error goes up.
    """

    def __init__(self, path: Path, keep_through: int | None = None) -> None:
        self.path = Path(path)
        self._pending = io.StringIO()
        self._broken = False
        if self.path.exists():
            self._columns = self._cut(keep_through)
        else:
            self._columns = ["step", "wall_time"]
            self.path.write_text(",".join(self._columns) + "\r\n", newline="")
        self._open()

    def _open(self) -> None:
        self._file = self.path.open("ab", buffering=0)
        self._writer = csv.DictWriter(self._pending, self._columns)
        self._flushed = time.monotonic()

    def _cut(self, keep_through: int | None) -> list[str]:
        """The header; rows past ``keep_through`` and a last row cut short are dropped."""
        with self.path.open(newline="") as f:
            text = f.read()
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines.pop()  # a row cut short by a crash
        header = next(csv.reader(lines[:1]), None) or ["step"]
        kept = lines[:1] + [
            line for line in lines[1:] if keep_through is None or float(line.split(",", 1)[0]) <= keep_through
        ]
        if len(kept) != len(lines) or not text.endswith(("\n", "\r")):
            tmp = self.path.with_suffix(".csv.tmp")
            tmp.write_text("".join(kept) or ",".join(header) + "\r\n", newline="")
            tmp.replace(self.path)
        return header

    def _widen(self, new: list[str]) -> None:
        self.flush()
        self._file.close()
        with self.path.open(newline="") as f:
            rows = list(csv.DictReader(f))
        self._columns += new
        tmp = self.path.with_suffix(".csv.tmp")
        try:
            with tmp.open("w", newline="") as f:
                writer = csv.DictWriter(f, self._columns)
                writer.writeheader()
                writer.writerows(rows)
            tmp.replace(self.path)
        finally:
            tmp.unlink(missing_ok=True)
            self._open()

    def write(self, snap: Snapshot) -> None:
        if not snap.scalars:
            return
        new = [k for k in ("wall_time", *snap.scalars) if k not in self._columns]  # an older file lacks wall_time
        if new:
            self._widen(new)
        self._writer.writerow(
            {"step": snap.step, "wall_time": repr(time.time()), **{k: _fmt(v) for k, v in snap.scalars.items()}}
        )
        if time.monotonic() - self._flushed > FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        """Write the waiting rows in one go, or none of them."""
        data = self._pending.getvalue().encode()
        self._pending.seek(0)
        self._pending.truncate()
        self._flushed = time.monotonic()
        if not data or self._broken:
            return
        whole = self._file.tell()
        try:
            while data:
                data = data[self._file.write(data) :]
        except OSError:
            self._broken = True  # later rows would only leave gaps: keep what is whole
            os.ftruncate(self._file.fileno(), whole)
            raise

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._file.close()


def _fmt(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else str(float(value))


def read_metrics(path: Path) -> dict[str, np.ndarray]:
    """Load a ``metrics.csv`` as one array per column (empty cells become NaN)."""
    with Path(path).open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    return {k: np.array([float(r[k]) if r[k] not in ("", None) else np.nan for r in rows]) for k in rows[0]}
