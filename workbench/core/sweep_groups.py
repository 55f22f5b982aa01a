"""A sweep's settings: its trials that differ only by seed, grouped, and the groups ranked by
the mean over seeds of each trial's figure, the mean of its last values of the sweep's metric
(``sweep_trial.RECENT``; what the summary table and the sweep view show, and what ASHA judges)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

SEED = "seed"


def setting_name(settings: dict[str, Any]) -> str:
    """``alpha=0.1,gamma=0.9``: a trial's swept values without its seed (``all`` when only seeds vary)."""
    return ",".join(f"{k}={v}" for k, v in settings.items() if k != SEED) or "all"


@dataclass(frozen=True)
class SettingGroup:
    """One setting: the ids of its trials (one per seed) and the figures of those that have one."""

    name: str
    trials: tuple[str, ...]
    figures: tuple[float, ...]
    pruned: bool = False
    """ASHA stopped every one of its trials early: its figures come from shorter runs than those
    of a setting that went on, and lost at a rung to the ones that did."""

    @property
    def mean(self) -> float | None:
        return float(np.mean(self.figures)) if self.figures else None

    @property
    def std(self) -> float | None:
        """Over seeds, numpy's default (ddof 0), as the curves' bands; None for one seed, whose
        0 would read as a setting that never varies."""
        return float(np.std(self.figures)) if len(self.figures) > 1 else None


def group_settings(records: Iterable[dict[str, Any]]) -> list[SettingGroup]:
    """The trials of ``sweep.json``'s records grouped by setting, in the sweep's order."""
    trials: dict[str, list[str]] = {}
    figures: dict[str, list[float]] = {}
    states: dict[str, set[str]] = {}
    for record in records:
        name = setting_name(record["settings"])
        trials.setdefault(name, []).append(record["id"])
        states.setdefault(name, set()).add(record.get("state", ""))
        if record.get("recent") is not None:
            figures.setdefault(name, []).append(float(record["recent"]))
    return [
        SettingGroup(name, tuple(ids), tuple(figures.get(name, ())), pruned=states[name] == {"pruned"})
        for name, ids in trials.items()
    ]


def ranked(groups: list[SettingGroup], mode: str) -> list[SettingGroup]:
    """Best mean first (highest for ``max``, lowest for ``min``), the settings ASHA pruned after
    those it let go on (an early figure can beat the ones it lost to), groups with no value last."""
    sign = -1.0 if mode == "max" else 1.0
    return sorted(groups, key=lambda g: (g.mean is None, g.pruned, sign * (g.mean or 0.0)))


CLEAR_LEAD = 2.0
"""Standard errors by which the best setting must lead the next before the sweep calls it ahead
(about a 95% two-sided interval; with few seeds a t interval is wider still)."""


def lead_text(groups: list[SettingGroup]) -> str:
    """How far the best of ``groups`` (ranked) leads the next, in standard errors of the
    difference of their means over seeds; "" unless both have two seeds or more. Where one
    seed's luck decides the order, the table alone reads as a verdict it is not."""
    seeded = [g for g in groups if len(g.figures) > 1]
    if len(seeded) < 2 or groups[:2] != seeded[:2]:
        return ""
    best, next_ = seeded[0], seeded[1]
    error = float(np.sqrt(sum(np.var(g.figures, ddof=1) / len(g.figures) for g in (best, next_))))
    lead = abs(float(np.mean(best.figures)) - float(np.mean(next_.figures)))
    if error == 0.0:  # every seed gave each setting the same figure
        return (
            f"{best.name} leads {next_.name} by {lead:.4g} on every seed"
            if lead
            else f"{best.name} and {next_.name} tie"
        )
    text = f"{best.name} leads {next_.name} by {lead:.4g}, {lead / error:.1f} standard errors of the difference"
    if lead / error < CLEAR_LEAD:
        text += f": under {CLEAR_LEAD:g}, more seeds would tell them apart"
    return text
