"""Sinks receive every snapshot of a run: in memory for views, on disk for the record.

Every sink has ``write(snapshot)``, ``mark(step, changes, previous)`` for live config changes
(the new values and the ones they replaced) and ``close()``.
"""

from __future__ import annotations

import csv
import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.snapshot import Snapshot

FLUSH_EVERY_S = 0.25


class Sink:
    """A sink that ignores everything; subclasses override what they need."""

    def write(self, snap: Snapshot) -> None:
        pass

    def mark(self, step: int, changes: dict[str, Any], previous: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        pass


class _Series:
    """A growing (step, value) buffer that doubles its capacity, so appends are amortised O(1)."""

    def __init__(self) -> None:
        self.steps = np.empty(256, dtype=np.float64)
        self.values = np.empty(256, dtype=np.float64)
        self.n = 0

    def append(self, step: float, value: float) -> None:
        if self.n == len(self.steps):
            self.steps = np.resize(self.steps, 2 * self.n)
            self.values = np.resize(self.values, 2 * self.n)
        self.steps[self.n] = step
        self.values[self.n] = value
        self.n += 1


class HistorySink(Sink):
    """Every scalar ever reported, for curves; thread-safe, readers get copies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[str, _Series] = {}
        self._marks: list[tuple[int, dict[str, Any], dict[str, Any]]] = []

    def write(self, snap: Snapshot) -> None:
        with self._lock:
            for key, value in snap.scalars.items():
                series = self._series.get(key)
                if series is None:  # not setdefault: it would build a _Series for every value
                    series = self._series[key] = _Series()
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

    def count(self, key: str) -> int:
        with self._lock:
            s = self._series.get(key)
            return 0 if s is None else s.n

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
    """``metrics.csv``: column ``step``, then one column per scalar, flushed every
    ``FLUSH_EVERY_S`` and when closed (a flush per row cost a fast trainer 4% of its speed).

    A scalar that first appears mid-run adds a column: the file is rewritten once with the
    wider header. Resuming into a folder that has a ``metrics.csv`` appends to it.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._columns = ["step"]
        if self.path.exists():
            with self.path.open(newline="") as f:
                self._columns = next(csv.reader(f), None) or ["step"]
            self._file = self.path.open("a", newline="")
        else:
            self._file = self.path.open("w", newline="")
            csv.writer(self._file).writerow(self._columns)
        self._writer = csv.DictWriter(self._file, self._columns)
        self._flushed = time.monotonic()

    def _widen(self, new: list[str]) -> None:
        self._file.close()
        with self.path.open(newline="") as f:
            rows = list(csv.DictReader(f))
        self._columns += new
        tmp = self.path.with_suffix(".csv.tmp")
        with tmp.open("w", newline="") as f:
            writer = csv.DictWriter(f, self._columns)
            writer.writeheader()
            writer.writerows(rows)
        tmp.replace(self.path)
        self._file = self.path.open("a", newline="")
        self._writer = csv.DictWriter(self._file, self._columns)

    def write(self, snap: Snapshot) -> None:
        if not snap.scalars:
            return
        new = [k for k in snap.scalars if k not in self._columns]
        if new:
            self._widen(new)
        self._writer.writerow({"step": snap.step, **{k: _fmt(v) for k, v in snap.scalars.items()}})
        if time.monotonic() - self._flushed > FLUSH_EVERY_S:
            self._file.flush()
            self._flushed = time.monotonic()

    def close(self) -> None:
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
