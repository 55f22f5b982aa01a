"""``workbench``: open the app, list plugins, or run one headless with the GUI's exact trainer."""

from __future__ import annotations

import argparse
import importlib
import json
import math
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from workbench import __version__
from workbench.core import desktop
from workbench.core.actions import actions_of
from workbench.core.checkpoint import run_folder
from workbench.core.config import FieldSpec, parse_sets, specs
from workbench.core.device import DEVICES, resolve_device
from workbench.core.manifest import Manifest, discover, find, with_import_errors
from workbench.core.runs_cli import add_parsers as add_run_parsers
from workbench.core.runs_cli import fork_parent
from workbench.core.signals import run_until_signalled
from workbench.core.sinks import Sink
from workbench.core.snapshot import Snapshot
from workbench.core.sweep_cli import add_parser as add_sweep_parser


class UsageError(ValueError):
    """Bad input from the command line: reported in one line with exit code 2."""


def build_config(
    manifest: Manifest, sets: list[str], seed: int | None = None, base: dict[str, Any] | None = None
) -> Any:
    """The plugin's config from ``--set`` strings and ``--seed``, validated; UsageError otherwise."""
    if manifest.broken:
        raise UsageError(f"plugin {manifest.id!r} is broken: {manifest.error}")
    cls = manifest.config_class()
    sets = list(sets)
    if seed is not None:
        if "seed" not in {s.name for s in specs(cls)}:
            raise UsageError(f"plugin {manifest.id!r} has no seed")
        sets.append(f"seed={seed}")
    try:
        return parse_sets(cls, sets, base)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _allowed(spec: FieldSpec) -> str:
    if spec.choices is not None:
        return "one of " + ", ".join(map(str, spec.choices))
    if spec.lo is not None or spec.hi is not None:
        lo = "" if spec.lo is None else f"{spec.lo:g}"
        hi = "" if spec.hi is None else f"{spec.hi:g}"
        return f"{lo}..{hi}" + (" (log scale)" if spec.log else "")
    return ""


def config_help(manifest: Manifest) -> str:
    """Every field of a plugin (help, default, range, group, live, when it applies) and its actions."""
    cls = manifest.config_class()
    lines = [
        f"{manifest.id}: {manifest.title}",
        manifest.description,
        "",
        "settings (--set KEY=VALUE; live: may change while training in the app):",
    ]
    for group in ("basic", "advanced"):
        lines.append(f"  {group}:")
        for spec in (s for s in specs(cls) if s.group == group):
            default = spec.rule.text() if spec.rule is not None else repr(spec.default)
            tags = [spec.type.__name__, f"default {default}"]
            tags += [t for t in (_allowed(spec), "live" if spec.live else "") if t]
            lines.append(f"    {spec.name:<18} {spec.help}")
            lines.append(f"    {'':<18} [{'; '.join(tags)}]" + (f" only when {spec.when.text}" if spec.when else ""))
    actions = actions_of(cls)
    if actions:
        lines += ["", "actions (buttons and clicks in the app):"]
        for action in actions:
            args = ", ".join(f"{p.name}: {p.type.__name__}" for p in action.payload)
            lines.append(
                f"  {action.name:<20} {action.label}"
                + (f" ({args})" if args else "")
                + (f": {action.help}" if action.help else "")
            )
    return "\n".join(lines)


class ProgressBar(Sink):
    """A one-line terminal progress bar, redrawn at most 10 times a second."""

    def __init__(self, total: int | None, stream: TextIO = sys.stderr) -> None:
        self.total, self.stream = total, stream
        self._t0 = time.perf_counter()
        self._last = 0.0
        self._scalars: dict[str, float] = {}

    def write(self, snap: Snapshot) -> None:
        self._scalars.update(snap.scalars)
        now = time.perf_counter()
        if now - self._last < 0.1:
            return
        self._last = now
        frac = snap.step / self.total if self.total else snap.progress
        elapsed = now - self._t0
        bar = ""
        if frac is not None:
            frac = min(max(frac, 0.0), 1.0)
            bar = f"[{'#' * int(frac * 20):<20}] {frac * 100:5.1f}% "
        shown = "  ".join(f"{k}={v:.4g}" for k, v in list(self._scalars.items())[:3])
        self.stream.write(f"\r{bar}step {snap.step}  {elapsed:6.1f}s  {shown}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def cmd_list(args: argparse.Namespace) -> int:
    manifests = with_import_errors(discover())
    if args.json:
        rows = [
            {
                "id": m.id,
                "title": m.title,
                "category": m.category,
                "description": m.description,
                "broken": m.broken,
                "error": m.error,
            }
            for m in manifests
        ]
        print(json.dumps(rows, indent=2))
        return 0
    for m in sorted(manifests, key=lambda m: (m.category, m.id)):
        text = f"BROKEN: {m.error}" if m.broken else m.description
        print(f"{m.id:<18} {m.category:<16} {text}")
    return 0


def checked_out_folder(out: Path, resume: str | None) -> Path:
    """``--out`` as a folder that can be written, and holds no other run; UsageError otherwise.

    Resuming continues in the checkpoint's own folder, or starts a new one; it never writes
    into a third run's folder.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        source_dir = None if resume is None else run_folder(resume)
        if source_dir is None or source_dir.resolve() != out.resolve():
            raise UsageError(
                f"{out} is not empty; choose a new --out folder"
                + (" or --resume from it" if resume is None else f" or the checkpoint's folder {source_dir}")
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".workbench-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to --out {out}: {exc.strerror or exc}") from None
    return out


def resumable_config(manifest: Manifest, resume: str, sets: list[str], seed: int | None) -> Any:
    """The config to resume with: the checkpoint's, with ``--set`` values that keep it loadable."""
    from workbench.core.checkpoint import CheckpointError, load_checkpoint
    from workbench.core.config import resume_conflicts

    try:
        saved = load_checkpoint(resume, manifest.id)["config"]
    except CheckpointError as exc:
        raise UsageError(str(exc)) from None
    cfg = build_config(manifest, sets, seed, saved)
    conflicts = resume_conflicts(type(cfg), saved, cfg)
    if conflicts:
        raise UsageError(
            f"cannot resume with {conflicts[0]} changed: the checkpoint's model was built for "
            f"{conflicts[0]}={saved.get(conflicts[0])!r}; start a new run to change it"
        )
    return cfg


def _keep_traceback(out: Path, error: str) -> str:
    """Write a failed run's traceback to ``error.log`` in its folder; the words that say where."""
    if not error:
        return ""
    try:
        (out / "error.log").write_text(error)
    except OSError:
        return ""
    return f" (traceback in {out / 'error.log'})"


def cmd_run(args: argparse.Namespace) -> int:
    from workbench.core.driver import Run
    from workbench.core.export import TensorBoardSink
    from workbench.core.recorder import RecordSink, check_fps

    manifest = find(args.plugin)
    parent = fork_parent(args, manifest.id)  # --fork RUN resumes from RUN's checkpoint into a new --out
    if args.resume is not None:
        cfg = resumable_config(manifest, args.resume, args.set, args.seed)
    else:
        cfg = build_config(manifest, args.set, args.seed)
    if args.device == "cuda":
        resolve_device(args.device)  # fail before writing anything when there is no GPU
    if args.steps is not None and args.steps <= 0:
        raise UsageError(f"--steps must be > 0, got {args.steps}")
    if args.checkpoint_every <= 0 or not math.isfinite(args.checkpoint_every):
        raise UsageError(f"--checkpoint-every must be a number of seconds > 0, got {args.checkpoint_every}")
    if args.record and not manifest.record:
        raise UsageError(f"plugin {manifest.id!r} declares nothing to record")
    if args.record:
        check_fps(args.fps)
    out = checked_out_folder(Path(args.out), args.resume)
    sinks: list[Sink] = [ProgressBar(args.steps, sys.stderr) if not args.quiet else Sink()]
    if args.record:
        sinks.append(RecordSink(out / f"record.{args.format}", manifest.record, fps=args.fps))
    if args.tensorboard:
        sinks.append(TensorBoardSink(args.tensorboard))
    run = Run(
        manifest,
        cfg,
        device=args.device,
        out_dir=out,
        sinks=sinks,
        max_steps=args.steps,
        resume_from=args.resume,
        checkpoint_every_s=args.checkpoint_every,
        on_nonfinite="stop",
        parent=parent,
    )
    # a killed run (a job scheduler's SIGTERM, Ctrl+C) ends at its next step with its metrics and checkpoint
    status, interrupted = run_until_signalled(run.run, run.stop)
    if run.resume_failed:
        print(f"workbench: error: {status.message}", file=sys.stderr)
        return 2
    if status.state == "failed":
        where = _keep_traceback(out, run.error)
        print(f"workbench: {status.message}; files so far are in {out}{where}", file=sys.stderr)
        return 1
    print(f"{status.state} at step {status.step} in {status.elapsed:.1f}s on {status.device}; files in {out}")
    return 128 + signal.SIGINT if signal.SIGINT in interrupted else 0


def cmd_gui(args: argparse.Namespace) -> int:
    launch = importlib.import_module("workbench.qt.app").main  # Qt only when the app is asked for
    cfg = None
    if args.plugin is not None:
        manifest = find(args.plugin)
        cfg = build_config(manifest, args.set, args.seed)
    elif args.set or args.autorun:
        raise UsageError("--set and --autorun need --plugin")
    code: int = launch(
        plugin=args.plugin,
        cfg=cfg,
        autorun=args.autorun,
        exit_when_done=args.exit_when_done,
        steps=args.steps,
        device=args.device,
    )
    return code


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Watch RL agents and generative models learn.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command")

    ls = sub.add_parser("list", help="list the plugins")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=cmd_list)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a config value (repeatable)")
        sp.add_argument("--steps", type=int, help="stop once the trainer's step reaches N")
        sp.add_argument("--seed", type=int, help="the random seed")
        sp.add_argument("--device", default="auto", choices=DEVICES)

    run = sub.add_parser("run", help="train a plugin headless")
    run.add_argument("plugin", help="plugin id (see `workbench list`)")
    common(run)
    run.add_argument("--out", required=True, help="folder for config.json, metrics.csv, checkpoints")
    run.add_argument("--record", action="store_true", help="record the plugin's main view")
    run.add_argument("--format", default="gif", choices=("gif", "mp4"), help="recording format")
    run.add_argument("--fps", type=float, default=20.0, help="recording frame rate")
    run.add_argument("--resume", help="a checkpoint file or run folder to continue from")
    run.add_argument("--checkpoint-every", type=float, default=60.0, metavar="SECONDS")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--fork", metavar="RUN", help="start from RUN's checkpoint with the --set changes, into a new --out"
    )
    run.add_argument(
        "--step", dest="fork_step", type=int, metavar="S", help="with --fork: RUN's checkpoint at step S or before it"
    )
    run.add_argument("--tensorboard", metavar="DIR", help="also write TensorBoard event files to DIR as it runs")
    run.set_defaults(func=cmd_run)

    gui = sub.add_parser("gui", help="open the app")
    gui.add_argument("--plugin", help="open this plugin")
    common(gui)
    gui.add_argument("--autorun", action="store_true", help="start training at once")
    gui.add_argument("--exit-when-done", action="store_true", help="quit when the run ends")
    gui.set_defaults(func=cmd_gui)

    add_run_parsers(sub)
    add_sweep_parser(sub)

    desk = sub.add_parser("install-desktop", help="add Workbench to the desktop's app menu (this user only)")
    desk.add_argument("--uninstall", action="store_true", help="remove the menu entry and icons again")
    desk.set_defaults(func=lambda args: desktop.run(args.uninstall))
    return p


def _plugin_help(argv: list[str]) -> str | None:
    """``workbench run PLUGIN --help``: the plugin's fields, or None for the usual help."""
    if len(argv) < 3 or argv[0] != "run" or not {"-h", "--help"} & set(argv):
        return None
    plugin = next((a for a in argv[1:] if not a.startswith("-")), None)
    return None if plugin is None else config_help(find(plugin))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        text = _plugin_help(argv)
    except (UsageError, ValueError) as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    if text is not None:
        print(text)
        return 0
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args(["gui", *(argv or [])])
    try:
        code: int = args.func(args)
        return code
    except (UsageError, ValueError) as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
