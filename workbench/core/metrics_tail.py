"""A run's ``metrics.csv`` read as it grows: each read parses only the whole rows written since
the last one, so the run index and a sweep's view, polling live runs a few times a second, do
not read every file again (a long run's file holds a million rows). A file replaced under it
(a resumed run cuts it back to its checkpoint; a new column rewrites it) is read again from the
start."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

METRICS_NAME = "metrics.csv"


def numeric_rows(rows: list[str], width: int) -> np.ndarray:
    """Rows of ``width`` comma-separated cells as an (n, width) float table (an empty cell is NaN);
    a row holding something that is not a number is left out."""
    kept = []
    for row in rows:
        try:
            kept.append([float(x) if x else math.nan for x in row.split(",")])
        except ValueError:
            continue
    return np.array(kept, dtype=np.float64).reshape(len(kept), width)


class MetricsTail:
    """The columns of ``run_dir``'s metrics.csv so far; ``read()`` takes in what was added."""

    def __init__(self, run_dir: str | Path) -> None:
        self.path = Path(run_dir) / METRICS_NAME
        self._reset(None)

    def _reset(self, inode: int | None) -> None:
        self._inode, self._offset = inode, 0
        self._header: list[str] = []
        self._chunks: list[np.ndarray] = []
        self._table = np.empty((0, 0))

    def read(self) -> bool:
        """Parse the rows added since the last read; True when there were any (or the file was replaced)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        replaced = stat.st_ino != self._inode or stat.st_size < self._offset
        if replaced:
            self._reset(stat.st_ino)
        if stat.st_size == self._offset:
            return replaced
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read(stat.st_size - self._offset)
        whole = data[: data.rfind(b"\n") + 1]  # a row still being written waits for the next read
        self._offset += len(whole)
        lines = whole.decode("utf-8", "replace").splitlines()
        if not self._header and lines:
            self._header = next(csv.reader(lines[:1]))
            lines = lines[1:]
        width = len(self._header)
        rows = numeric_rows([line for line in lines if line.count(",") == width - 1], width)
        if len(rows):
            self._chunks.append(rows)
        return bool(len(rows)) or replaced

    def _whole(self) -> np.ndarray:
        if len(self._chunks) > 1 or (self._chunks and self._chunks[0] is not self._table):
            self._table = np.concatenate(self._chunks)
            self._chunks = [self._table]
        return self._table if self._chunks else np.empty((0, len(self._header)))

    def column(self, key: str) -> np.ndarray:
        """Every value of ``key`` read so far (NaN where a row has none); empty when there is no such column."""
        if key not in self._header:
            return np.empty(0)
        return self._whole()[:, self._header.index(key)]

    def columns(self) -> dict[str, np.ndarray]:
        """Every column read so far, as ``read_columns`` gives them."""
        table = self._whole()
        return {key: table[:, i] for i, key in enumerate(self._header)}
