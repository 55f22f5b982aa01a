"""TensorBoard event files: a run's metrics.csv and saved arrays after the fact, or a run's
scalars as they come (``workbench run --tensorboard DIR``).

Written with ``torch.utils.tensorboard.SummaryWriter`` (it needs the ``tensorboard`` package),
so TensorBoard itself reads what we write.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.runs import NOT_METRICS, read_curves
from workbench.core.sinks import Sink
from workbench.core.snapshot import Snapshot


def _writer(log_dir: Path) -> Any:
    from torch.utils.tensorboard import SummaryWriter  # torch only when something is exported

    return SummaryWriter(log_dir=str(log_dir))


def as_image(arr: np.ndarray) -> tuple[np.ndarray, str] | None:
    """A 2-D or HxWx3 array as float32 scaled to [0, 1] and its TensorBoard layout; None for other shapes."""
    if arr.ndim == 2:
        layout = "HW"
    elif arr.ndim == 3 and arr.shape[-1] == 3:
        layout = "HWC"
    else:
        return None
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0, layout
    values = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = values.min(), values.max()
    scaled = (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
    return scaled.astype(np.float32), layout


def export_tensorboard(run_dir: str | Path, log_dir: str | Path) -> dict[str, int]:
    """Write every scalar of ``run_dir``'s metrics.csv at its step (with its wall_time when the
    file has one) and each saved 2-D or HxWx3 ``.npy`` as an image at the last step.

    Returns:
        How many scalars and images were written.
    """
    run_dir, log_dir = Path(run_dir), Path(log_dir)
    columns = read_curves(run_dir)
    steps = columns.get("step", np.empty(0))
    wall = columns.get("wall_time")
    counts = {"scalars": 0, "images": 0}
    writer = _writer(log_dir)
    try:
        for key, values in columns.items():
            if key in NOT_METRICS:
                continue
            for i in np.flatnonzero(~np.isnan(values)):
                walltime = float(wall[i]) if wall is not None and np.isfinite(wall[i]) else None
                writer.add_scalar(key, float(values[i]), int(steps[i]), walltime=walltime)
                counts["scalars"] += 1
        last_step = int(steps[-1]) if len(steps) else 0
        for path in sorted(run_dir.glob("*.npy")):
            try:
                image = as_image(np.load(path, allow_pickle=False))
            except (OSError, ValueError):
                continue  # a half-written or foreign file: the rest is exported
            if image is not None:
                writer.add_image(path.stem, image[0], last_step, dataformats=image[1])
                counts["images"] += 1
    finally:
        writer.close()
    return counts


class TensorBoardSink(Sink):
    """Every scalar of a run as it comes, and each live change as text, in TensorBoard event files."""

    def __init__(self, log_dir: str | Path) -> None:
        self._writer = _writer(Path(log_dir))

    def write(self, snap: Snapshot) -> None:
        now = time.time()
        for key, value in snap.scalars.items():
            self._writer.add_scalar(key, float(value), int(snap.step), walltime=now)

    def mark(self, step: int, changes: dict[str, Any], previous: dict[str, Any]) -> None:
        text = ", ".join(f"{k}: {previous.get(k)!r} → {v!r}" for k, v in changes.items())
        self._writer.add_text("live changes", text, int(step))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()
