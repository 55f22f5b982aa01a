"""Listing a folder of 1,000 runs: cold (no index cache) and warm (nothing changed since);
and with ``--gui-rounds N``, td-control's steps/s headless against its GUI panel beside the Runs
dock listing those runs (and the GUI's own run among them) as it refreshes.

    python benchmarks/bench_runs.py --runs 1000 --rows 200 --iterations 20
    python benchmarks/bench_runs.py --gui-rounds 5 --steps 12000
Goals: <= 1 s cold, <= 0.1 s warm; GUI with the Runs dock / headless >= 0.95 (rounds
alternated so machine noise hits both alike; medians). Each generated run is laid out as the
app keeps them (root/<plugin>/<time>/): config.json, metrics.csv (step, wall_time and three
metrics), a checkpoint and a saved array. The cold figure is also taken in a fresh process,
which pays for importing the index and reading the plugin's defaults once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.config import to_dict
from workbench.core.manifest import find
from workbench.core.paths import home
from workbench.core.runs import INDEX_NAME, RunIndex

PLUGIN = "td-control"


def generate(root: Path, runs: int, rows: int) -> None:
    defaults = to_dict(find(PLUGIN).config_class()())
    rng = np.random.default_rng(0)
    for i in range(runs):
        folder = root / PLUGIN / f"20260101-{i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d}-000"
        folder.mkdir(parents=True)
        config = {**defaults, "seed": i % 5, "alpha": [0.1, 0.5][i % 2]}
        (folder / "config.json").write_text(
            json.dumps(
                {
                    "plugin": PLUGIN,
                    "config": config,
                    "final_config": config,
                    "changes": [],
                    "events": [],
                    "state": "finished",
                }
            )
        )
        t0 = 1.767e9 + 1000 * i
        lines = ["step,wall_time,episode_return,episode_length,epsilon"]
        lines += [f"{s},{t0 + 0.1 * s!r},{rng.normal():.6f},{rng.integers(10, 500)},0.1" for s in range(1, rows + 1)]
        (folder / "metrics.csv").write_text("\r\n".join(lines) + "\r\n")
        (folder / "checkpoint.pt").write_bytes(b"\0" * 64)
        np.save(folder / "q_values.npy", np.zeros((48, 4), np.float32))
    yesterday = time.time() - 86_400  # kept runs are old: none was written in the clock tick of a listing
    for path in [*root.rglob("*"), root]:
        os.utime(path, (yesterday, yesterday))


def timed_scan(root: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one listing by a new index (as a new `workbench runs list` makes)."""
    t0, c0 = time.perf_counter(), time.process_time()
    RunIndex(root).scan()
    return time.perf_counter() - t0, time.process_time() - c0


def gui_against_headless(root: Path, rounds: int, steps: int) -> None:
    """td-control headless, in its panel, and in its panel with the Runs dock on ``root`` open,
    alternated; the panel alone is the control that says what the dock adds."""
    os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    from bench_gui_vs_headless import gui, headless  # a sibling script: benchmarks/ is on sys.path
    from PySide6 import QtWidgets

    from workbench.core.cli import build_config
    from workbench.qt.browser import RunBrowser

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    manifest = find(PLUGIN)
    cfg = build_config(manifest, ["episodes=1000000"])
    sinks: dict[str, list[Any]] = {"headless": [], "GUI": [], "GUI + Runs dock": []}  # their RateSinks
    refresh_cpu: list[float] = []
    dock_share = []
    for r in range(rounds):
        sinks["headless"].append(headless(manifest, cfg, steps))
        sinks["GUI"].append(gui(app, manifest, cfg, steps)[0])
        browser = RunBrowser(root=root)  # the GUI's runs go under root too: the dock sees one growing
        browser.resize(700, 900)
        browser.show()
        refresh, spent = browser.refresh, len(refresh_cpu)

        def timed_refresh(refresh=refresh) -> None:
            t0 = time.thread_time()
            refresh()
            refresh_cpu.append(time.thread_time() - t0)

        browser.refresh = timed_refresh  # type: ignore[method-assign]
        t0 = time.perf_counter()
        sinks["GUI + Runs dock"].append(gui(app, manifest, cfg, steps)[0])
        dock_share.append(sum(refresh_cpu[spent:]) / (time.perf_counter() - t0))
        shown = browser.table.rowCount()
        browser.close()
        browser.deleteLater()
        app.processEvents()
        h, g, d = (sinks[kind][-1].rate() for kind in sinks)
        print(
            f"  round {r + 1}: headless {h:,.0f} steps/s   GUI {g:,.0f} ({g / h:.3f})   "
            f"GUI + Runs dock of {shown} runs {d:,.0f} ({d / h:.3f})",
            flush=True,
        )
    # on a loaded machine the wall-clock ratio mostly measures how the CPU is shared between
    # processes (see bench_gui_vs_headless.py); per trainer CPU-second it shows what the GUI costs
    for kind in ("GUI", "GUI + Runs dock"):
        for per, rate in (("wall second", "rate"), ("trainer CPU-second", "cpu_rate")):
            ratios = [getattr(g, rate)() / getattr(h, rate)() for g, h in zip(sinks[kind], sinks["headless"])]
            print(
                f"td-control, {steps} steps, {kind} / headless, steps per {per}: {np.median(ratios):.3f} "
                f"(median of {rounds} rounds; goal >= 0.95)"
            )
    print(
        f"the dock's refreshes while training: {len(refresh_cpu)}, median {1000 * np.median(refresh_cpu):.1f} ms CPU, "
        f"max {1000 * max(refresh_cpu):.1f} ms; {100 * np.median(dock_share):.2f}% of the training's wall time "
        "(median of the rounds)"
    )


def compare_redraw(root: Path, runs: int, rows: int, iterations: int) -> None:
    """Pan and zoom over ``runs`` runs of ``rows`` rows in the compare view: ms per redraw of
    every plot (the range set, then the view painted), each run its own curve and seeds pooled."""
    os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from workbench.core.runs import read_run
    from workbench.qt.compare import CompareView

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    generate(root, runs, rows)
    infos = [read_run(p) for p in sorted((root / PLUGIN).iterdir())]
    t0 = time.perf_counter()
    view = CompareView(infos)
    opened = time.perf_counter() - t0
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    for pooled in (False, True):
        view.pooled.setChecked(pooled)
        view.graphics.grab()
        times, cpu = [], []
        plots = list(view.plots.values())
        for i in range(iterations):
            plot = plots[i % len(plots)]  # the plot under the mouse: only it changes and is painted again
            width = rows / (2 + i % 4)  # zoom in and out while panning along the run
            lo = (rows - width) * i / max(iterations - 1, 1)
            area = view.graphics.mapFromScene(plot.sceneBoundingRect()).boundingRect()
            t0, c0 = time.perf_counter(), time.process_time()
            plot.setXRange(lo, lo + width, padding=0)
            view.graphics.grab(area)  # paints what the screen would: that plot
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        shown = "seeds pooled into mean ± std" if pooled else "each run its own curve"
        print(
            f"compare {runs} runs x {rows:,} rows, {shown}: pan/zoom redraw of a plot median "
            f"{1000 * np.median(times):.1f} ms ({1000 * np.median(cpu):.1f} ms CPU), max {1000 * max(times):.1f} ms "
            "(goal <= 30 ms)"
        )
    print(f"compare view opened (read and drawn) in {opened:.2f} s")
    view.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=1000)
    p.add_argument("--rows", type=int, default=200)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--gui-rounds", type=int, default=0, help="also time td-control headless vs GUI with the dock")
    p.add_argument("--steps", type=int, default=12000, help="td-control steps per GUI or headless round")
    p.add_argument("--compare", type=int, default=20, metavar="RUNS", help="runs in the compare redraw (0: skip)")
    p.add_argument("--compare-rows", type=int, default=100_000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        generate(root, args.runs, args.rows)
        script = (
            "import sys, time; t0 = time.perf_counter(); from workbench.core.runs import RunIndex; "
            "n = len(RunIndex(sys.argv[1]).scan()); print(time.perf_counter() - t0, time.process_time(), n)"
        )
        fresh, fresh_cpu, n = subprocess.run(
            [sys.executable, "-c", script, str(root)], capture_output=True, text=True, check=True
        ).stdout.split()
        colds = []
        for _ in range(3):
            (root / INDEX_NAME).unlink(missing_ok=True)
            colds.append(timed_scan(root))
        warms = [timed_scan(root) for _ in range(args.iterations)]
        (cold, cold_cpu), (warm, warm_cpu) = np.median(colds, axis=0), np.median(warms, axis=0)
        print(f"{n} runs of {args.rows} rows; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(
            f"cold, fresh process (imports included): {float(fresh):.3f} s   ({float(fresh_cpu):.3f} s CPU, the "
            "interpreter's start included)"
        )
        print(f"cold, no index cache (median of 3):     {cold:.3f} s   ({cold_cpu:.3f} s CPU; goal <= 1 s)")
        print(
            f"warm, nothing changed (median of {args.iterations}):   {1000 * warm:.1f} ms  ({1000 * warm_cpu:.1f} ms CPU; "
            "goal <= 100 ms)"
        )
        if args.compare:
            compare_redraw(Path(tmp) / "compared", args.compare, args.compare_rows, args.iterations)
        if args.gui_rounds:
            os.environ["WORKBENCH_HOME"] = tmp  # the app's runs: root, beside the generated ones
            assert home() / "runs" == root
            gui_against_headless(root, args.gui_rounds, args.steps)


if __name__ == "__main__":
    main()
