"""Comparing runs: names from the settings that differ, seeds pooled into a mean and a band,
TensorBoard's smoothing, and the numbers a table of runs shows (final, best, area under the curve)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.runs import RunInfo, final_and_best

SEED = "seed"


def settings_of(run: RunInfo) -> dict[str, Any]:
    """A run's settings with its plugin among them, so runs of two plugins are told apart by it."""
    return {"plugin": run.plugin, **run.config}


def varying(configs: list[dict[str, Any]]) -> list[str]:
    """The settings every config has whose values are not the same in all, in first-seen order
    (a setting only some plugins have says nothing the plugin's name does not)."""
    if not configs:
        return []
    shared = [k for k in configs[0] if all(k in cfg for cfg in configs)]
    return [k for k in shared if len({repr(cfg[k]) for cfg in configs}) > 1]


def label(config: dict[str, Any], keys: list[str]) -> str:
    """``alpha=0.1, seed 3``: the differing settings of one run."""
    parts = [f"{k}={config.get(k)}" for k in keys if k != SEED]
    if SEED in keys:
        parts.append(f"seed {config.get(SEED)}")
    return ", ".join(parts)


def seed_groups(configs: list[dict[str, Any]]) -> list[list[int]]:
    """Indices of the runs that differ only by seed, one list per group, in first-seen order."""
    keys = {k for cfg in configs for k in cfg} - {SEED}
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i, cfg in enumerate(configs):
        groups.setdefault(tuple(sorted((k, repr(cfg.get(k))) for k in keys)), []).append(i)
    return list(groups.values())


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: an exponential moving average, debiased so the start is not
    pulled towards zero; a non-finite value is passed through and skipped. ``weight`` in [0, 1)."""
    values = np.asarray(values, dtype=np.float64)
    if weight <= 0:
        return values.copy()
    out = np.empty_like(values)
    last, count = 0.0, 0
    for i, v in enumerate(values):
        if not np.isfinite(v):
            out[i] = v
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out[i] = last / (1 - weight**count)
    return out


def mean_band(curves: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, mean, std) of several curves over the x range they all cover, on the first one's x
    values (the others interpolated there; NaNs left out); std is numpy's default (ddof 0)."""
    finite = [(x[np.isfinite(y)], y[np.isfinite(y)]) for x, y in curves]
    finite = [(x, y) for x, y in finite if len(x)]
    if not finite:
        return np.empty(0), np.empty(0), np.empty(0)
    lo, hi = max(x[0] for x, _ in finite), min(x[-1] for x, _ in finite)
    grid = finite[0][0][(finite[0][0] >= lo) & (finite[0][0] <= hi)]
    stack = np.array([np.interp(grid, x, y) for x, y in finite])
    return grid, stack.mean(axis=0), stack.std(axis=0)


def area(steps: np.ndarray, values: np.ndarray) -> float | None:
    """The area under a curve (trapezoids over its finite points), None with fewer than two."""
    keep = np.isfinite(values) & np.isfinite(steps)
    if keep.sum() < 2:
        return None
    return float(np.trapezoid(values[keep], steps[keep]))


def figures(steps: np.ndarray, values: np.ndarray, metric: str) -> dict[str, float | None]:
    """Final, best and area under the curve of one metric of one run."""
    return {**final_and_best(values, metric), "auc": area(steps, values)}
