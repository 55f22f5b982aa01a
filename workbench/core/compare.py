"""Comparing runs: names from the settings that differ, seeds pooled into a mean and a band,
TensorBoard's smoothing, forks drawn on from their parents' curves, and the numbers a table of
runs shows (final, best, area under the curve)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.core.runs import CONFIG_NAME, RunInfo, final_and_best, read_curves

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


def envelope(
    x: np.ndarray, low: np.ndarray, high: np.ndarray, points: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A band cut to about ``points`` points: each bin of neighbours becomes its first x, its
    lowest low and its highest high, so the band only ever widens."""
    size = -(-len(x) // points) if points > 0 else 1
    if size <= 1:
        return x, low, high
    starts = np.arange(0, len(x), size)
    return x[starts], np.minimum.reduceat(low, starts), np.maximum.reduceat(high, starts)


def area(steps: np.ndarray, values: np.ndarray) -> float | None:
    """The area under a curve (trapezoids over its finite points), None with fewer than two."""
    keep = np.isfinite(values) & np.isfinite(steps)
    if keep.sum() < 2:
        return None
    return float(np.trapezoid(values[keep], steps[keep]))


def figures(steps: np.ndarray, values: np.ndarray, metric: str) -> dict[str, float | None]:
    """Final, best and area under the curve of one metric of one run."""
    return {**final_and_best(values, metric), "auc": area(steps, values)}


MAX_ANCESTORS = 32  # a chain of forks longer than this (or a loop of hand-edited parents) stops there


@dataclass
class Lineage:
    """A run's metrics preceded by its ancestors': each parent's rows up to the step its child
    forked at, the child's wall_time shifted to go on from the parent's. ``own_from`` is the
    row where the run's own rows start; ``parent``/``step`` say where it forked (None: no fork,
    or its parent's folder is gone)."""

    columns: dict[str, np.ndarray]
    own_from: int = 0
    parent: str | None = None
    step: float | None = None


def _parent_of(run_dir: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(run_dir, CONFIG_NAME)) as f:
            parent = json.load(f).get("parent")
    except (OSError, ValueError, AttributeError):
        return None
    return parent if isinstance(parent, dict) else None


def lineage(
    columns: dict[str, np.ndarray],
    parent: dict[str, Any] | None,
    known: dict[str, dict[str, np.ndarray]] | None = None,
    depth: int = 0,
) -> Lineage:
    """``columns`` (a run's metrics.csv) with its ancestry before them; ``parent`` is its
    config.json's ``{"run", "step"}``, ``known`` the columns already read, by real path."""
    run, step = (parent or {}).get("run"), (parent or {}).get("step")
    if not isinstance(run, str) or not isinstance(step, (int, float)) or depth >= MAX_ANCESTORS:
        return Lineage(columns)
    key = os.path.realpath(run)
    known = {} if known is None else known
    if key not in known:
        if not os.path.isdir(run):
            return Lineage(columns)
        known[key] = read_curves(run)
    above = lineage(known[key], _parent_of(run), known, depth + 1).columns
    above_steps = above.get("step", np.empty(0))
    cut = {k: v[above_steps <= step] for k, v in above.items()}
    own = dict(columns)
    wall, parent_wall = own.get("wall_time"), cut.get("wall_time")
    if wall is not None and parent_wall is not None and np.isfinite(wall).any() and np.isfinite(parent_wall).any():
        own["wall_time"] = wall - np.nanmin(wall) + parent_wall[np.isfinite(parent_wall)][-1]
    rows = len(cut.get("step", ()))
    n = len(own.get("step", ()))
    joined = {
        k: np.concatenate([cut.get(k, np.full(rows, np.nan)), own.get(k, np.full(n, np.nan))])
        for k in dict.fromkeys([*cut, *own])
    }
    return Lineage(joined, rows, run, float(step))
