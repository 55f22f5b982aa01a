"""What a trainer hands out at each yield: plain numbers and numpy copies, never tensors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Snapshot:
    """One moment of a run.

    Args:
        step: the trainer's own step counter (environment steps, episodes, iterations...);
            it only has to grow. Curves are drawn against it and ``--steps`` stops on it.
        scalars: values logged to ``metrics.csv`` and drawn as curves. Scalars are never dropped.
        arrays: images, heatmaps, bars... Views show the latest one ("latest wins").
        progress: fraction of the budget done, in [0, 1], for progress bars.
    """

    step: int
    scalars: dict[str, float] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    progress: float | None = None
