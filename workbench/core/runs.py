"""The run index: every run folder under a root, what it was and how it went.

A run folder holds ``config.json``, ``metrics.csv``, ``checkpoint.pt`` and what its plugin
saved; ``run.json`` beside them keeps the tags and note a person gives it. The index reads runs
that are still being written without disturbing them (read-only opens, a half-written last row
left out) and lists a killed or damaged run with a warning and whatever could be read. What it
read is cached in ``<root>/.index.json`` by the folders' and files' modification times and
sizes, so listing again reads only the runs that changed.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import os
import re
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.checkpoint import CHECKPOINT_NAME
from workbench.core.config import FieldSpec, non_defaults, specs
from workbench.core.metrics_tail import METRICS_NAME, MetricsTail, numeric_rows
from workbench.core.paths import home, write_json

INDEX_NAME = ".index.json"
TRASH_NAME = ".trash"
NOTES_NAME = "run.json"
CONFIG_NAME = "config.json"
SWEEP_FILE = "sweep.json"
"""Beside a sweep's trial folders: its spec and each trial's record (``workbench.core.sweep``)."""
RUN_MARKERS = (CONFIG_NAME, METRICS_NAME, CHECKPOINT_NAME)
"""Any one of these makes a folder a run (a run killed early may have only one)."""
INDEX_VERSION = 1
ACTIVE_STATES = ("starting", "running", "paused", "stopping")
ENDED_STATES = ("finished", "stopped", "failed")
RACY_NS = 2_000_000_000  # file times move in clock ticks: a run changed this recently is not cached as read
QUIET_S = 600  # a running run writes a checkpoint a minute: ten quiet minutes mean it was killed (or paused)
NOT_METRICS = ("step", "wall_time")
LOWER_IS_BETTER = ("loss", "error", "regret", "kl", "nll", "bits", "bpc", "residual", "perplexity", "delta", "gap")
"""A metric whose name holds one of these is best at its minimum; any other at its maximum."""
_STAMP = re.compile(r"^(\d{8}-\d{6})")  # GUI run folders: 20260102-030405-678


class UnknownRun(ValueError):
    """A RUN argument that names no run, or more than one, said in one line."""


def default_root() -> Path:
    """Where the app keeps its runs: ``$WORKBENCH_HOME/runs``, else ``~/.local/share/workbench/runs``."""
    return home() / "runs"


def step_text(value: float | None) -> str:
    """A step count whole (36,130), where 4 significant figures wrote 3.613e+04."""
    return "-" if value is None else f"{value:,.0f}"


def lower_is_better(metric: str) -> bool:
    return any(word in metric.lower() for word in LOWER_IS_BETTER)


@dataclass
class RunInfo:
    """What the index knows of one run; ``warnings`` say what could not be read and why."""

    path: str
    rel: str
    plugin: str | None = None
    state: str = "unknown"
    started: float | None = None
    duration: float | None = None
    updated: float = 0.0
    steps: float | None = None
    rows: int = 0
    config: dict[str, Any] = field(default_factory=dict)
    diff: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    note: str = ""
    files: list[str] = field(default_factory=list)
    parent: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}  # its values are plain JSON already

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunInfo:
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})


_FIELDS = tuple(f.name for f in fields(RunInfo))


# ---------- reading one run ----------
def read_columns(path: str | Path) -> tuple[dict[str, np.ndarray], list[str]]:
    """``metrics.csv`` as one float array per column (empty cells NaN), opened read-only, and
    warnings; a last row cut short (a run being written or killed) and malformed rows are left out."""
    with open(path, newline="") as f:
        text = f.read().replace("\r\n", "\n")
    warnings = []
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
        warnings.append(f"the last row of {METRICS_NAME} is cut short (still being written, or the run was killed)")
    head, _, body = text.partition("\n")
    header = next(csv.reader([head]), None)
    if not header:
        return {}, warnings + [f"{METRICS_NAME} is empty"]
    width, rows = len(header), body.count("\n")
    # values are plain numbers, never quoted: the whole body is parsed in one numpy call, with
    # every row checked only when the separators do not add up
    if body.count(",") != rows * (width - 1):
        lines = [line for line in body.split("\n")[:-1] if line.count(",") == width - 1]
        warnings.append(f"{rows - len(lines)} malformed rows of {METRICS_NAME} left out")
        body, rows = "".join(line + "\n" for line in lines), len(lines)
    filled = (
        ("\n" + body).replace(",,", ",nan,").replace(",,", ",nan,").replace("\n,", "\nnan,").replace(",\n", ",nan\n")
    )
    try:
        table = np.fromstring(filled[1:].replace("\n", ","), dtype=np.float64, sep=",").reshape(rows, width)
    except ValueError:  # a cell that is not a number: row by row, leaving such rows out
        lines = body.split("\n")[:-1]
        table = numeric_rows(lines, width)
        warnings.append(f"{len(lines) - len(table)} rows of {METRICS_NAME} hold a value that is not a number: left out")
    return {key: table[:, i] for i, key in enumerate(header)}, warnings


def read_curves(run_dir: str | Path) -> dict[str, np.ndarray]:
    """A run's metrics.csv as columns, as far as it can be read; empty without one."""
    try:
        return read_columns(Path(run_dir) / METRICS_NAME)[0]
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}


def final_and_best(values: np.ndarray, metric: str) -> dict[str, float | None]:
    """The last finite value and the best (the minimum of a loss, else the maximum)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return {"final": None, "best": None}
    return {"final": float(finite[-1]), "best": float(finite.min() if lower_is_better(metric) else finite.max())}


def summarise(columns: dict[str, np.ndarray]) -> dict[str, dict[str, float | None]]:
    """``final_and_best`` of every metric."""
    return {key: final_and_best(values, key) for key, values in columns.items() if key not in NOT_METRICS}


def _load_json(path: Path) -> tuple[Any, str | None]:
    try:
        with open(path) as f:
            return json.load(f), None
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as exc:
        return None, f"{path.name} is unreadable ({type(exc).__name__}: {exc})"


_SPECS: dict[str, dict[str, FieldSpec] | None] = {}


def plugin_specs(plugin: str) -> dict[str, FieldSpec] | None:
    """The plugin's config fields by name, or None when it is not installed (or broken)."""
    if plugin not in _SPECS:
        from workbench.core.manifest import find

        try:
            _SPECS[plugin] = {s.name: s for s in specs(find(plugin).config_class())}
        except Exception:  # noqa: BLE001 - an unknown or broken plugin still lists its runs
            _SPECS[plugin] = None
    return _SPECS[plugin]


def config_diff(plugin: str | None, config: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The settings that differ from the plugin's defaults (those of the run's own choices, where a
    default depends on one), and a warning when those are unknown."""
    by_name = plugin_specs(plugin) if plugin else None
    if by_name is None:
        return dict(config), f"plugin {plugin!r} is not installed: its whole config is shown" if config else None
    return non_defaults(by_name, config), None


def _started_from_name(name: str) -> float | None:
    m = _STAMP.match(name)
    if m is None:
        return None
    return _dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").timestamp()


def read_run(run_dir: str | Path, rel: str = "", tail: MetricsTail | None = None) -> RunInfo:
    """Everything readable about one run; what is missing or damaged becomes a warning. While
    the run is active its metrics.csv is read through ``tail`` where one is given: only the rows
    added since the last read."""
    run_dir = Path(run_dir)
    info = RunInfo(path=str(run_dir), rel=rel or run_dir.name)
    try:
        entries = {e.name: e.stat() for e in os.scandir(run_dir) if e.is_file() and not e.name.startswith(".")}
    except OSError as exc:
        info.warnings.append(f"cannot read the folder ({exc.strerror or exc})")
        return info
    info.updated = max((s.st_mtime for s in entries.values()), default=0.0)
    info.files = sorted(
        n for n in entries if n not in (CONFIG_NAME, METRICS_NAME, NOTES_NAME) and not n.endswith(".tmp")
    )
    doc, problem = _load_json(run_dir / CONFIG_NAME)
    if CONFIG_NAME not in entries:
        info.warnings.append(f"no {CONFIG_NAME} (killed before it was written?)")
    elif problem or not isinstance(doc, dict):
        info.warnings.append(problem or f"{CONFIG_NAME} is not an object")
    else:
        info.plugin = doc.get("plugin")
        info.state = str(doc.get("state") or "unknown")
        info.config = doc.get("config") or {}
        info.changes = doc.get("changes") or []
        info.events = doc.get("events") or []
        info.parent = doc.get("parent")
        info.diff, problem = config_diff(info.plugin, info.config)
        if problem:
            info.warnings.append(problem)
    if METRICS_NAME in entries:
        problems: list[str] = []  # a live run's row being written waits for the tail's next read
        if tail is not None and info.state in ACTIVE_STATES:
            tail.read()
            columns = tail.columns()
        else:
            try:
                columns, problems = read_columns(run_dir / METRICS_NAME)
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                columns, problems = {}, [f"{METRICS_NAME} is unreadable ({exc})"]
        info.warnings += problems
        info.metrics = summarise(columns)
        steps, wall = columns.get("step", np.empty(0)), columns.get("wall_time", np.empty(0))
        info.rows = len(steps)
        info.steps = float(steps[-1]) if len(steps) else None
        wall = wall[np.isfinite(wall)]
        if len(wall):
            info.started, info.duration = float(wall[0]), float(wall[-1] - wall[0])
    else:
        info.warnings.append(f"no {METRICS_NAME}")
    if CHECKPOINT_NAME not in entries:
        info.warnings.append(f"no {CHECKPOINT_NAME}: it cannot be resumed or forked")
    if info.started is None:
        info.started = _started_from_name(run_dir.name) or min((s.st_mtime for s in entries.values()), default=None)
    notes, problem = _load_json(run_dir / NOTES_NAME)
    if problem or (notes is not None and not isinstance(notes, dict)):
        info.warnings.append(problem or f"{NOTES_NAME} is not an object")
    elif notes:
        info.tags = [str(t) for t in notes.get("tags", [])]
        info.note = str(notes.get("note", ""))
    return info


# ---------- tags and note ----------
def annotate(run_dir: str | Path, tags: list[str] | None = None, note: str | None = None) -> dict[str, Any]:
    """Set a run's tags and/or note in its ``run.json``; returns what the file now holds."""
    path = Path(run_dir) / NOTES_NAME
    doc, _ = _load_json(path)
    doc = doc if isinstance(doc, dict) else {}
    if tags is not None:
        doc["tags"] = sorted({t.strip() for t in tags if t.strip()})
    if note is not None:
        doc["note"] = note
    write_json(path, doc)
    return doc


# ---------- the index ----------
def _is_run(names: set[str]) -> bool:
    return any(n in names for n in RUN_MARKERS)


def _signature(run_dir: str, dir_mtime: int) -> list[int]:
    """What changes when a run does: the folder's mtime (files added, removed or replaced
    atomically) and metrics.csv's size and mtime (rows appended in place)."""
    try:
        s = os.stat(os.path.join(run_dir, METRICS_NAME))
        return [dir_mtime, s.st_size, s.st_mtime_ns]
    except OSError:
        return [dir_mtime, -1, -1]


class RunIndex:
    """The runs under ``root`` (searched recursively; ``.trash`` and hidden folders left out).

    Example:
        >>> runs = RunIndex(default_root()).scan()  # doctest: +SKIP
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self._cache: dict[str, dict[str, Any]] = {}
        self._cache_mtime: int | None = None
        self._infos: dict[str, tuple[dict[str, Any], RunInfo]] = {}  # rel -> (its cache entry, the info made of it)
        self._tails: dict[str, MetricsTail] = {}  # rel -> its metrics.csv as read so far, for runs seen active
        self._sweeps: dict[str, tuple[tuple[int, int], set[str]]] = {}  # folder -> (sweep.json's time and size, pruned)

    def _load_cache(self) -> None:
        path = self.root / INDEX_NAME
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return
        if mtime == self._cache_mtime:
            return
        doc, _ = _load_json(path)
        if isinstance(doc, dict) and doc.get("version") == INDEX_VERSION and isinstance(doc.get("runs"), dict):
            self._cache, self._cache_mtime = doc["runs"], mtime

    def _save_cache(self) -> None:
        try:
            write_json(self.root / INDEX_NAME, {"version": INDEX_VERSION, "runs": self._cache}, indent=None)
            self._cache_mtime = os.stat(self.root / INDEX_NAME).st_mtime_ns
        except OSError:
            pass  # a read-only root is listed all the same, only not cached

    def _folders(self, top: Path) -> list[tuple[str, int]]:
        """(relative path, mtime) of every run folder under ``top``; a folder the cache knows
        unchanged is taken as a run without listing it."""
        found, stack, start = [], [str(top)], len(str(top)) + 1
        cache = self._cache if top == self.root else {}
        while stack:
            folder = stack.pop()
            rel = folder[start:] or "."
            try:
                mtime = os.stat(folder).st_mtime_ns
            except OSError:
                continue
            cached = cache.get(rel)
            if cached is not None and cached["sig"][:1] == [mtime]:
                found.append((rel, mtime))
                continue
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            if rel != "." and _is_run({e.name for e in entries if e.is_file()}):
                found.append((rel, mtime))
                continue
            stack += [e.path for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]
        return found

    def scan(self) -> list[RunInfo]:
        """Every run, newest first, reading only those that changed since the last scan.

        The cache file is rewritten only when a run that is not running changed (or runs came
        or went): a run being trained changes at every scan, and rewriting the whole index for
        it would cost a refreshing browser more than everything else."""
        if not self.root.is_dir():
            return []
        self._load_cache()
        cache, changed = {}, False
        for rel, mtime in self._folders(self.root):
            entry = self._cache.get(rel)
            if entry is not None and entry["sig"][:1] == [mtime] and entry["info"]["state"] in ENDED_STATES:
                cache[rel] = entry  # a run that ended appends no rows: its folder's time says enough
                continue
            path = os.path.join(self.root, rel)
            sig = _signature(path, mtime)
            if entry is None or entry["sig"] != sig:
                tail = self._tails.setdefault(rel, MetricsTail(path))
                entry = {"sig": sig, "info": read_run(path, rel, tail).to_dict()}
                if entry["info"]["state"] not in ACTIVE_STATES:
                    del self._tails[rel]
                changed = changed or entry["info"]["state"] not in ACTIVE_STATES
                if time.time_ns() - max(sig[0], sig[2]) < RACY_NS:
                    entry["sig"] = []  # read again next time: a write in the same clock tick keeps the times
            cache[rel] = entry
        came_or_went = cache.keys() != self._cache.keys()
        self._cache = cache
        self._tails = {rel: tail for rel, tail in self._tails.items() if rel in cache}
        if changed or came_or_went:
            self._save_cache()
        pruned = self._pruned({os.path.dirname(rel) for rel in cache})
        return sorted(self._made_infos(cache, pruned), key=lambda i: (-(i.started or 0.0), i.rel))

    def _pruned(self, folders: set[str]) -> set[str]:
        """The runs a ``sweep.json`` in ``folders`` says ASHA pruned: their own state is stopped,
        as a run interrupted is, though they are done. Each file is read again only once changed."""
        pruned, held = set(), {}
        for folder in folders:
            path = os.path.join(self.root, folder, SWEEP_FILE)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            mtime = (stat.st_mtime_ns, stat.st_size)
            known = self._sweeps.get(folder)
            if known is None or known[0] != mtime:
                doc, _ = _load_json(Path(path))
                trials = doc.get("trials") if isinstance(doc, dict) else None
                ids = {t.get("id") for t in trials or [] if isinstance(t, dict) and t.get("state") == "pruned"}
                known = (mtime, {os.path.join(folder, str(i)) for i in ids})
            held[folder] = known
            pruned |= known[1]
        self._sweeps = held
        return pruned

    def _made_infos(self, cache: dict[str, dict[str, Any]], pruned: set[str]) -> list[RunInfo]:
        """A RunInfo per cache entry, made again only for entries that changed; a stopped run its
        sweep pruned says so (never cached: its sweep.json may change without it)."""
        held, infos, now = {}, [], time.time()
        for rel, entry in cache.items():
            made = self._infos.get(rel)
            if made is None or made[0] is not entry:
                made = (entry, RunInfo.from_dict({**entry["info"], "path": os.path.join(self.root, rel), "rel": rel}))
            held[rel] = made
            info = made[1]
            if info.state in ACTIVE_STATES and now - info.updated > QUIET_S:  # depends on the time: never cached
                quiet = f"it says {info.state}, but nothing was written for {(now - info.updated) / 60:.0f} min"
                info = replace(info, warnings=[*info.warnings, quiet + ": killed, or paused?"])
            if rel in pruned and info.state == "stopped":
                info = replace(info, state="pruned")
            infos.append(info)
        self._infos = held
        return infos

    def trashed(self) -> list[RunInfo]:
        """The runs in ``<root>/.trash``, each under the path it was deleted from."""
        top = self.root / TRASH_NAME
        if not top.is_dir():
            return []
        return [read_run(top / rel, rel) for rel, _ in self._folders(top)]

    def resolve(self, text: str, trashed: bool = False) -> Path:
        """The run ``text`` names: a run folder's path, or a unique suffix of one under the root
        (of one in the trash when ``trashed``); UnknownRun otherwise."""
        top = self.root / TRASH_NAME if trashed else self.root
        path = Path(text).expanduser()
        if (
            path.is_dir()
            and _is_run({p.name for p in path.iterdir()})
            and (not trashed or path.resolve().is_relative_to(top.resolve()))
        ):
            return path
        rels = [rel for rel, _ in self._folders(top)] if top.is_dir() else []
        suffix = text.strip("/")
        matches = [rel for rel in rels if rel == suffix] or sorted(
            rel for rel in rels if suffix and rel.endswith(suffix)
        )
        where = f"in the trash of {self.root}" if trashed else f"under {self.root}"
        if not matches:
            raise UnknownRun(f"no run {text!r} {where}")
        if len(matches) > 1:
            shown = ", ".join(matches[:4]) + (", …" if len(matches) > 4 else "")
            raise UnknownRun(f"{text!r} matches {len(matches)} runs {where} ({shown}); give more of its path")
        return top / matches[0]

    def trash(self, run_dir: str | Path) -> Path:
        """Move a run to ``<root>/.trash/`` under its relative path (``~2``… when that is taken)."""
        run_dir = Path(run_dir)
        rel = run_dir.resolve().relative_to(self.root.resolve())
        dest = self.root / TRASH_NAME / rel
        n = 2
        while dest.exists():
            dest = self.root / TRASH_NAME / rel.parent / f"{rel.name}~{n}"
            n += 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(run_dir, dest)
        return dest

    def restore(self, trashed_dir: str | Path) -> Path:
        """Move a run back from the trash to where it was deleted from; ValueError when that is taken."""
        trashed_dir = Path(trashed_dir)
        rel = trashed_dir.resolve().relative_to((self.root / TRASH_NAME).resolve())
        dest = self.root / rel.parent / re.sub(r"~\d+$", "", rel.name)
        if dest.exists():
            raise ValueError(f"cannot restore {trashed_dir}: {dest} exists")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(trashed_dir, dest)
        return dest
