"""What a sweep tries: a grid of values, random samples from distributions and seeds, expanded
into trials whose configs are all checked against the plugin's schema before any of them runs.

Sampled values come from a generator seeded by the spec, so the same command names the same
trials again (which is how a second run of it finds the unfinished ones).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.core.config import FieldSpec, parse_sets, specs, to_dict
from workbench.core.runs import lower_is_better

SCHEDULERS = ("none", "asha")
MODES = ("max", "min")
_CALL = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$")


class SweepError(ValueError):
    """A sweep that cannot start, said in one line (the CLI exits with code 2)."""


@dataclass(frozen=True)
class Distribution:
    """One ``--sample`` distribution: ``uniform(lo,hi)``, ``loguniform(lo,hi)``,
    ``randint(lo,hi)`` (both ends included) or ``choice(a,b,...)``."""

    kind: str
    args: tuple[str, ...]

    def draw(self, rng: np.random.Generator) -> str:
        """One value, as the text ``--set`` would take."""
        if self.kind == "choice":
            return self.args[int(rng.integers(len(self.args)))]
        lo, hi = float(self.args[0]), float(self.args[1])
        if self.kind == "randint":
            return str(int(rng.integers(int(lo), int(hi) + 1)))
        value = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) if self.kind == "loguniform" else rng.uniform(lo, hi)
        return f"{value:.4g}"

    def ends(self) -> tuple[str, ...]:
        """The values that bound what it draws, for checking against the field up front."""
        return self.args


def parse_distribution(key: str, text: str, spec: FieldSpec) -> Distribution:
    """``text`` as a distribution for field ``spec``; SweepError when it is not one it can take."""
    m = _CALL.match(text)
    kinds = "uniform(lo,hi), loguniform(lo,hi), randint(lo,hi) or choice(a,b,...)"
    if m is None or m.group(1) not in ("uniform", "loguniform", "randint", "choice"):
        raise SweepError(f"--sample {key}={text!r} is not a distribution; use {kinds}")
    kind, args = m.group(1), tuple(a.strip() for a in m.group(2).split(",") if a.strip())
    if kind == "choice":
        if not args:
            raise SweepError(f"--sample {key}={text!r} chooses from nothing")
        return Distribution(kind, args)
    if len(args) != 2:
        raise SweepError(f"--sample {key}={text!r} takes two numbers, lo and hi")
    try:
        lo, hi = float(args[0]), float(args[1])
    except ValueError:
        raise SweepError(f"--sample {key}={text!r}: {args[0]!r} and {args[1]!r} must be numbers") from None
    if not lo < hi:
        raise SweepError(f"--sample {key}={text!r} needs lo < hi")
    if kind == "loguniform" and lo <= 0:
        raise SweepError(f"--sample {key}={text!r}: loguniform needs lo > 0")
    if spec.type is int and kind != "randint":
        raise SweepError(f"--sample {key}={text!r}: {key} is an int; use randint(lo,hi) or choice(...)")
    if spec.type is float and kind == "randint":
        raise SweepError(f"--sample {key}={text!r}: {key} is a float; use uniform or loguniform")
    if spec.type not in (int, float):
        raise SweepError(f"--sample {key}={text!r}: {key} is a {spec.type.__name__}; use choice(...)")
    return Distribution(kind, args)


def parse_seeds(text: str) -> list[int]:
    """``0-9``, ``1,3,5`` or a mix (``0-3,7``)."""
    seeds: list[int] = []
    try:
        for part in (p.strip() for p in text.split(",")):
            lo, dash, hi = part.partition("-")
            seeds += list(range(int(lo), int(hi) + 1)) if dash else [int(part)]
    except ValueError:
        raise SweepError(f"--seeds {text!r} must look like 0-9 or 1,3,5") from None
    if not seeds:
        raise SweepError(f"--seeds {text!r} names no seed")
    if len(set(seeds)) != len(seeds):
        raise SweepError(f"--seeds {text!r} names a seed twice")
    return seeds


def _key_value(option: str, item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise SweepError(f"{option} {item!r} must look like key=values")
    return key.strip(), value.strip()


@dataclass
class SweepSpec:
    """Everything that says which trials a sweep holds and how they are judged; saved in
    ``sweep.json``, so running the same command again can tell its sweep from another."""

    plugin: str
    grid: dict[str, list[str]] = field(default_factory=dict)
    sample: dict[str, str] = field(default_factory=dict)
    trials: int = 1
    seeds: list[int] | None = None
    sets: list[str] = field(default_factory=list)
    steps: int | None = None
    metric: str = "episode_return"
    mode: str = ""
    scheduler: str = "none"

    def __post_init__(self) -> None:
        self.mode = self.mode or ("min" if lower_is_better(self.metric) else "max")

    @classmethod
    def from_args(cls, plugin: str, grid: list[str], sample: list[str], **rest: Any) -> SweepSpec:
        """From the CLI's repeated ``--grid key=a,b`` and ``--sample key=dist(...)`` strings."""
        grids: dict[str, list[str]] = {}
        for item in grid:
            key, values = _key_value("--grid", item)
            grids[key] = [v.strip() for v in values.split(",") if v.strip()]
        samples = dict(_key_value("--sample", item) for item in sample)
        return cls(plugin, grids, samples, **rest)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Trial:
    """One run of a sweep: its folder name, the values it sweeps and its whole config."""

    id: str
    settings: dict[str, str]
    values: dict[str, Any]


def _check_keys(spec: SweepSpec, by_name: dict[str, FieldSpec]) -> None:
    for option, keys in (("--grid", spec.grid), ("--sample", spec.sample)):
        for key in keys:
            if key not in by_name:
                raise SweepError(f"{option}: unknown config key {key!r}; allowed: {', '.join(by_name)}")
    both = set(spec.grid) & set(spec.sample)
    if both:
        raise SweepError(f"{min(both)!r} is both in --grid and in --sample")
    if spec.seeds is not None and "seed" not in by_name:
        raise SweepError(f"plugin {spec.plugin!r} has no seed")
    if spec.seeds is not None and "seed" in set(spec.grid) | set(spec.sample):
        raise SweepError("give seeds with --seeds, not as a swept key")
    for key, values in spec.grid.items():
        if not values:
            raise SweepError(f"--grid {key}= is empty")
    if spec.sample and spec.trials < 1:
        raise SweepError(f"--trials must be >= 1, got {spec.trials}")
    if spec.sample == {} and spec.trials != 1:
        raise SweepError("--trials needs --sample")
    if spec.mode not in MODES:
        raise SweepError(f"--mode {spec.mode!r} is not one of: {', '.join(MODES)}")
    if spec.scheduler not in SCHEDULERS:
        raise SweepError(f"--scheduler {spec.scheduler!r} is not one of: {', '.join(SCHEDULERS)}")
    if spec.steps is not None and spec.steps <= 0:
        raise SweepError(f"--steps must be > 0, got {spec.steps}")


def _points(spec: SweepSpec, by_name: dict[str, FieldSpec]) -> list[dict[str, str]]:
    """The swept values of every trial, as text, in a stable order (grid, samples, seeds)."""
    dists = {key: parse_distribution(key, text, by_name[key]) for key, text in spec.sample.items()}
    for key, dist in dists.items():  # the ends of a range must be allowed values themselves
        if dist.kind != "choice":
            _check_values(by_name[key], dist.ends(), "--sample")
    rng = np.random.default_rng(0)
    drawn = [{key: dist.draw(rng) for key, dist in dists.items()} for _ in range(spec.trials if dists else 1)]
    grid = [dict(zip(spec.grid, combo)) for combo in itertools.product(*spec.grid.values())]
    seeds: list[dict[str, str]] = [{"seed": str(s)} for s in spec.seeds] if spec.seeds is not None else [{}]
    points = []
    for g, (i, d), s in itertools.product(grid, enumerate(drawn), seeds):
        points.append({**g, **({"trial": str(i)} if dists else {}), **d, **s})
    return points


def _check_values(field_spec: FieldSpec, texts: tuple[str, ...] | list[str], option: str) -> None:
    for text in texts:
        try:
            field_spec.check(field_spec.parse(text))
        except ValueError as exc:
            raise SweepError(f"{option}: {exc}") from None


def plan(spec: SweepSpec, config_class: type, threads: int | None = 1) -> list[Trial]:
    """Every trial of ``spec``, each config built with ``parse_sets`` (so checked in full) before
    any runs; SweepError on the first that is not allowed. A config's ``threads`` field is set to
    ``threads`` unless ``--set`` gives it, so trials side by side do not share out the cores twice."""
    by_name = {s.name: s for s in specs(config_class)}
    _check_keys(spec, by_name)
    given = {item.partition("=")[0].strip() for item in spec.sets}
    sets = list(spec.sets)
    if "threads" in by_name and "threads" not in given and threads is not None:
        sets.append(f"threads={threads}")
    trials, notes = [], io.StringIO()
    with contextlib.redirect_stderr(notes):  # a setting's note once, not once per trial
        for point in _points(spec, by_name):
            trial_id = ",".join(f"{k}={v}" for k, v in point.items()) or "trial"
            swept = [f"{k}={v}" for k, v in point.items() if k != "trial"]
            try:
                cfg = parse_sets(config_class, sets + swept)
            except ValueError as exc:
                raise SweepError(f"trial {trial_id}: {exc}") from None
            trials.append(Trial(trial_id, point, to_dict(cfg)))
    for line in dict.fromkeys(notes.getvalue().splitlines()):
        print(line, file=sys.stderr)
    return trials
