"""``workbench sweep``: run a grid, random samples and seeds of one plugin, or summarise a sweep.

Ctrl+C (or SIGTERM) ends every trial at its next step with its checkpoint; running the same
command again finishes only what is not done. Bad specs are one line and exit code 2 before
anything starts; a sweep with failed trials exits 1, one that was stopped 130.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from workbench.core.device import DEVICES
from workbench.core.manifest import find
from workbench.core.runs import NOT_METRICS, read_curves
from workbench.core.signals import run_until_signalled
from workbench.core.sweep import BACKENDS, Sweep, summary_lines
from workbench.core.sweep_spec import (
    MODES,
    SCHEDULERS,
    SweepError,
    SweepSpec,
    parse_seeds,
)


class Progress:
    """One line on stderr per trial that starts (once per attempt), retries or ends."""

    def __init__(self) -> None:
        self._started: set[tuple[str, int]] = set()

    def __call__(self, record: dict[str, Any]) -> None:
        state, text = record["state"], record["id"]
        if state == "running":
            attempt = (text, record["attempts"])
            if attempt in self._started:  # more news of a running trial (the process running it)
                return
            self._started.add(attempt)
            line = f"start  {text} (attempt {record['attempts']})"
        elif state == "retrying":
            line = f"retry  {text}: {record['error']}"
        else:
            recent = "" if record.get("recent") is None else f", recent {record['recent']:.4g}"
            line = f"{state:<6} {text} at step {record.get('step', 0)}{recent}" + (
                f": {record['error']}" if record.get("error") else ""
            )
        print(line, file=sys.stderr, flush=True)


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.summary is not None:
        print("\n".join(summary_lines(args.summary)))
        return 0
    if args.plugin is None or args.out is None:
        raise SweepError("a sweep needs a PLUGIN and --out DIR (or --summary DIR)")
    manifest = find(args.plugin)
    spec = SweepSpec.from_args(
        args.plugin,
        args.grid,
        args.sample,
        trials=args.trials,
        seeds=None if args.seeds is None else parse_seeds(args.seeds),
        sets=args.set,
        steps=args.steps,
        metric=args.metric or manifest.metric,
        mode=args.mode or "",
        scheduler=args.scheduler,
    )
    sweep = Sweep(
        spec,
        args.out,
        manifest=manifest,
        backend=args.backend,
        workers=args.workers,
        address=args.address,
        device=args.device,
        checkpoint_every_s=args.checkpoint_every,
        on_change=Progress(),
    )
    if not manifest.plots(spec.metric):
        print(
            f"note: {args.plugin}'s panel plots no {spec.metric!r} ({', '.join(manifest.plotted_metrics)}); "
            "trials are ranked by it only if their trainer logs it",
            file=sys.stderr,
        )
    done = len(sweep.trials) - len(sweep.todo())
    print(
        f"{len(sweep.trials)} trials in {args.out}"
        + (f" ({done} done before)" if done else "")
        + f"; {args.backend}, {sweep.workers} at once",
        file=sys.stderr,
    )
    counts, interrupted = run_until_signalled(sweep.run, sweep.stop)
    print(
        ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        + f"; `workbench sweep --summary {args.out}` shows them",
        file=sys.stderr,
    )
    unranked = unranked_note(sweep)
    if unranked:
        print(unranked, file=sys.stderr)
    if interrupted:
        return 128 + signal.SIGINT
    return 1 if counts.get("failed") else 0


def unranked_note(sweep: Sweep) -> str:
    """Where trials finished but none logged the sweep's metric, a line naming what they did log:
    a misspelt ``--metric`` otherwise ends a whole sweep with nothing ranked and no word why."""
    finished = [r["id"] for r in sweep.records.values() if r["state"] == "finished"]
    if not finished or any(sweep.records[i].get("recent") is not None for i in finished):
        return ""
    logged: dict[str, None] = {}
    for trial_id in finished:
        logged.update(dict.fromkeys(k for k in read_curves(sweep.out / trial_id) if k not in NOT_METRICS))
    return (
        f"no trial logged {sweep.spec.metric!r}, so none is ranked; they logged: {', '.join(logged) or 'nothing'}. "
        f"`workbench runs compare {sweep.out}/* --metric NAME` ranks them by another"
    )


def add_parser(sub: Any) -> None:
    """The ``sweep`` subcommand, on the CLI's subparsers."""
    sp = sub.add_parser("sweep", help="run a grid, random samples and seeds of a plugin (locally or on Ray)")
    sp.add_argument("plugin", nargs="?", help="plugin id (see `workbench list`)")
    sp.add_argument("--grid", action="append", default=[], metavar="KEY=A,B,...", help="values to try (repeatable)")
    sp.add_argument(
        "--sample",
        action="append",
        default=[],
        metavar="KEY=DIST",
        help="uniform(lo,hi), loguniform(lo,hi), randint(lo,hi) or choice(a,b,...) (repeatable)",
    )
    sp.add_argument("--trials", type=int, default=1, help="samples drawn (with --sample)")
    sp.add_argument("--seeds", help="seeds of every setting: 0-9 or 1,3,5")
    sp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a fixed config value")
    sp.add_argument("--steps", type=int, help="stop each trial once its step reaches N")
    sp.add_argument(
        "--metric", help="the column of metrics.csv that judges trials (default: the plugin's, as episode_return)"
    )
    sp.add_argument("--mode", choices=MODES, help="whether more or less of the metric is better (default: by its name)")
    sp.add_argument("--scheduler", default="none", choices=SCHEDULERS, help="asha: stop poor trials early (ray)")
    sp.add_argument("--workers", type=int, help="trials at once (default: one per core)")
    sp.add_argument("--backend", default="local", choices=BACKENDS)
    sp.add_argument("--address", help="a Ray cluster to run on (default: a local Ray instance)")
    sp.add_argument("--device", default="auto", choices=DEVICES)
    sp.add_argument("--checkpoint-every", type=float, default=30.0, metavar="SECONDS")
    sp.add_argument("--out", help="the sweep folder")
    sp.add_argument("--summary", metavar="DIR", help="print the table of a sweep folder and exit")
    sp.set_defaults(func=cmd_sweep)
