"""``workbench runs …`` and ``workbench export``: list, show, compare, delete and restore runs,
and write a run as TensorBoard event files. A RUN is a folder's path or a unique suffix of one
under the root; one that names no run (or several) is one line and exit code 2."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.checkpoint import CHECKPOINT_NAME
from workbench.core.compare import figures, label, seed_groups, settings_of, varying
from workbench.core.runs import RunIndex, RunInfo, read_curves, read_run, step_text


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _when(stamp: float | None) -> str:
    return "-" if stamp is None else _dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, s = divmod(int(seconds), 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{s:02d}s"


def settings_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _index(args: argparse.Namespace) -> RunIndex:
    return RunIndex(args.root)


def cmd_list(args: argparse.Namespace) -> int:
    runs = [r for r in _index(args).scan() if args.plugin is None or r.plugin == args.plugin]
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=2, default=str))
        return 0
    for r in runs:
        flags = f"  [{', '.join(r.tags)}]" if r.tags else ""
        flags += f"  ! {len(r.warnings)} warning{'s' * (len(r.warnings) > 1)}" if r.warnings else ""
        print(
            f"{r.rel:<40} {r.plugin or '?':<16} {r.state:<9} {_when(r.started)}  {_duration(r.duration):>7} "
            f"step {step_text(r.steps):<8} {settings_text(r.diff)}{flags}"
        )
    if not runs:
        print(f"no runs under {_index(args).root}")
    return 0


def show_lines(r: RunInfo) -> list[str]:
    """Everything the index knows of one run, for ``runs show``."""
    lines = [
        r.path,
        f"  plugin    {r.plugin or '?'}",
        f"  state     {r.state}",
        f"  started   {_when(r.started)}   ran {_duration(r.duration)}   last step {step_text(r.steps)} ({r.rows} rows)",
    ]
    if r.parent:
        lines.append(f"  forked from {r.parent.get('run')} at step {r.parent.get('step')}")
    lines.append(f"  settings  {settings_text(r.diff) or ('the defaults' if r.config else 'unknown')}")
    for c in r.changes:
        lines.append(f"  step {c.get('step')}: changed {settings_text(c.get('changes', {}))}")
    for e in r.events:
        lines.append(f"  step {e.get('step')}: {e.get('action')} {settings_text(e.get('payload', {}))}".rstrip())
    for key, m in r.metrics.items():
        lines.append(f"  {key:<24} final {_num(m['final']):<10} best {_num(m['best'])}")
    if r.tags:
        lines.append(f"  tags      {', '.join(r.tags)}")
    if r.note:
        lines.append(f"  note      {r.note}")
    lines.append(f"  files     {', '.join(r.files) or 'none'}")
    lines += [f"  warning: {w}" for w in r.warnings]
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    index = _index(args)
    path = index.resolve(args.run)
    print("\n".join(show_lines(read_run(path, str(path)))))
    return 0


def comparison(infos: list[RunInfo], metric: str) -> list[str]:
    """The table ``runs compare`` prints: final, best and area under the curve per run, then
    mean ± std of each over the runs that differ only by seed."""
    configs = [settings_of(r) for r in infos]
    keys = varying(configs)
    names = [label(c, keys) or r.rel for c, r in zip(configs, infos)]
    rows, logged = [], set()
    for r in infos:
        columns = read_curves(r.path)
        logged |= set(columns) - {"step", "wall_time"}
        values = columns.get(metric)
        rows.append(figures(columns["step"], values, metric) if values is not None else None)
    if all(row is None for row in rows):
        raise ValueError(f"no run among these logged {metric!r}; they log {', '.join(sorted(logged)) or 'nothing'}")
    width = max(len(n) for n in names) + 2
    lines = [f"{'run':<{width}}{'final':>12}{'best':>12}{'area':>14}"]
    for name, row in zip(names, rows):
        row = row or {"final": None, "best": None, "auc": None}
        lines.append(f"{name:<{width}}{_num(row['final']):>12}{_num(row['best']):>12}{_num(row['auc']):>14}")
    pooled = [g for g in seed_groups(configs) if len(g) > 1]
    if pooled:
        lines += ["", f"mean ± std over seeds ({metric})"]
    for group in pooled:
        present = [row for row in (rows[i] for i in group) if row is not None]
        name = label(configs[group[0]], [k for k in keys if k != "seed"]) or "all"
        stats = []
        for what in ("final", "best", "auc"):
            vals = np.array([row[what] for row in present if row[what] is not None])
            stats.append(f"{what} {vals.mean():.4g} ± {vals.std():.4g}" if len(vals) else f"{what} -")
        lines.append(f"{name} ({len(present)} seeds): " + "   ".join(stats))
    return lines


def cmd_compare(args: argparse.Namespace) -> int:
    index = _index(args)
    paths = [index.resolve(text) for text in args.runs]
    infos = [read_run(p, str(p)) for p in paths]
    print("\n".join(comparison(infos, args.metric)))
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    index = _index(args)
    dest = index.trash(index.resolve(args.run))
    rel = dest.relative_to(index.root / ".trash")
    print(f"moved to {dest}; `workbench runs restore {rel}` brings it back")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    index = _index(args)
    print(f"restored {index.restore(index.resolve(args.run, trashed=True))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.core.export import export_tensorboard

    path = _index(args).resolve(args.run)
    counts = export_tensorboard(path, args.tensorboard)
    print(f"wrote {counts['scalars']} scalars and {counts['images']} images of {path} to {args.tensorboard}")
    return 0


def fork_parent(args: argparse.Namespace, plugin_id: str) -> dict[str, Any] | None:
    """For ``run --fork RUN [--step S]``: point ``args.resume`` at RUN's latest checkpoint, or
    the one of its history at or before step S, and return the lineage that the new run's
    config.json records (the checkpoint's own step); None without ``--fork``."""
    from workbench.core.checkpoint import checkpoint_at, load_checkpoint

    if args.fork is None:
        if args.fork_step is not None:
            raise ValueError("--step needs --fork: it picks the forked run's checkpoint")
        return None
    if args.resume is not None:
        raise ValueError("--fork and --resume cannot be combined: a fork resumes from its RUN into a new --out")
    source = RunIndex().resolve(args.fork)
    if Path(args.out).resolve() == source.resolve():
        raise ValueError(f"--out is the forked run {source}; a fork needs a new folder")
    checkpoint = source / CHECKPOINT_NAME if args.fork_step is None else checkpoint_at(source, args.fork_step)
    step = load_checkpoint(checkpoint, plugin_id).get("step")
    args.resume = str(checkpoint)
    return {"run": str(source.resolve()), "step": step}


def add_parsers(sub: Any) -> None:
    """The ``runs`` and ``export`` subcommands, on the CLI's subparsers."""
    named = "a run folder, or a unique end of its path under the root"

    def command(parent: Any, name: str, func: Any, text: str, run: str | None = named) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=text)
        if run is not None:
            sp.add_argument("run", help=run)
        sp.add_argument("--root", help="the folder of runs (default: the app's, $WORKBENCH_HOME/runs)")
        sp.set_defaults(func=func)
        made: argparse.ArgumentParser = sp
        return made

    verbs = sub.add_parser("runs", help="list, show, compare, delete and restore runs").add_subparsers(
        dest="verb", required=True
    )
    ls = command(verbs, "list", cmd_list, "every run under the root, newest first", run=None)
    ls.add_argument("--plugin", help="only this plugin's runs")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    command(verbs, "show", cmd_show, "one run: settings, changes, metrics, files, warnings")
    compare = command(verbs, "compare", cmd_compare, "final, best and area under a metric's curve per run", run=None)
    compare.add_argument("runs", nargs="+", metavar="run", help=named)
    compare.add_argument("--metric", required=True, help="a column of metrics.csv")
    command(verbs, "rm", cmd_rm, "move a run to the trash (<root>/.trash)")
    command(
        verbs,
        "restore",
        cmd_restore,
        "bring a run back from the trash",
        run="its path in the trash, or a unique end of it",
    )
    export = command(sub, "export", cmd_export, "write a run as TensorBoard event files")
    export.add_argument("--tensorboard", required=True, metavar="DIR", help="folder for the event files")
