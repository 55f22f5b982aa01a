"""Steps/s of one plugin's trainer headless against the same trainer in its GUI panel with all
views refreshing, alternated in one run so machine noise hits both alike.

Rates are steady-state: from the first snapshot at or past a quarter of the steps to the last.
A trainer's first steps in a fresh process are slow (torch and data warm up: the VAE's first
50 steps ran at 16 steps/s, the rest at 88), and the GUI's trainer always starts in a fresh
process while repeated headless runs here share one.

    python benchmarks/bench_gui_vs_headless.py --plugin td-control --steps 20000 --set episodes=100000
Goal: GUI / headless >= 0.90.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from statistics import median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-"))

from PySide6 import QtCore, QtWidgets  # noqa: E402

from workbench.core.cli import build_config  # noqa: E402
from workbench.core.config import to_dict  # noqa: E402
from workbench.core.driver import Run  # noqa: E402
from workbench.core.manifest import find  # noqa: E402
from workbench.core.sinks import Sink  # noqa: E402
from workbench.qt.panel import PluginPanel  # noqa: E402

IMAGE_PLUGINS = ("vae", "gan", "ddpm", "draw")  # plugins whose step trains on a batch of images


class RateSink(Sink):
    """Steps per second between the first snapshot at or past ``from_step`` and the last one."""

    def __init__(self, from_step: int = 0) -> None:
        self.from_step = from_step
        self.first: tuple[float, int] | None = None
        self.last: tuple[float, int] | None = None

    def write(self, snap) -> None:
        if snap.step < self.from_step:
            return
        now = (time.perf_counter(), snap.step)
        self.first = self.first or now
        self.last = now

    def rate(self) -> float:
        if self.first is None or self.last[1] == self.first[1]:
            raise SystemExit(
                f"the run ended before step {self.from_step + 1}: --steps is longer than the trainer "
                "runs (raise its own length with --set, e.g. episodes=...)"
            )
        return (self.last[1] - self.first[1]) / (self.last[0] - self.first[0])


def headless(manifest, cfg, steps: int) -> float:
    """As ``workbench run --quiet --out DIR`` runs it: metrics.csv is the only other sink."""
    out = tempfile.mkdtemp(prefix="wb-headless-")
    rate = RateSink(from_step=steps // 4)
    Run(manifest, cfg, device="cpu", out_dir=out, sinks=[rate], max_steps=steps, on_nonfinite="stop").run()
    return rate.rate()


def gui(app, manifest, cfg, steps: int) -> float:
    panel = PluginPanel(manifest, to_dict(cfg), device="cpu", max_steps=steps)
    panel.resize(1400, 900)
    panel.show()
    rate = RateSink(from_step=steps // 4)
    panel.history, history_write = panel.history, panel.history.write

    def write_and_time(snap) -> None:
        history_write(snap)
        rate.write(snap)

    panel.history.write = write_and_time
    loop = QtCore.QEventLoop()  # the app's own kind of loop: it sleeps until a timer or an event
    panel.run_ended.connect(lambda *_: loop.quit())
    panel.start()
    loop.exec()
    panel.shutdown()
    panel.deleteLater()
    app.processEvents()
    return rate.rate()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--plugin", default="td-control")
    p.add_argument("--steps", type=int, default=2000, help="trainer steps per measurement")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = p.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    manifest = find(args.plugin)
    cfg = build_config(manifest, args.set)
    h_rates, g_rates = [], []
    for r in range(args.rounds):
        h_rates.append(headless(manifest, cfg, args.steps))
        g_rates.append(gui(app, manifest, cfg, args.steps))
        print(
            f"round {r + 1}: headless {h_rates[-1]:,.1f} steps/s   gui {g_rates[-1]:,.1f} steps/s   "
            f"ratio {g_rates[-1] / h_rates[-1]:.3f}"
        )
    h, g = median(h_rates), median(g_rates)
    paired = median([gr / hr for gr, hr in zip(g_rates, h_rates)])  # each round's pair shares the machine's mood
    print(
        f"{args.plugin}: median headless {h:,.1f} steps/s, GUI {g:,.1f} steps/s; "
        f"ratio GUI/headless = {paired:.3f} (median of the rounds' ratios)"
    )
    if args.plugin in IMAGE_PLUGINS:
        batch = cfg.batch_size * getattr(cfg, "d_steps", 1)  # a GAN step shows D d_steps real batches
        print(f"{args.plugin}: training images/s ({batch} per step): headless {h * batch:,.0f}, GUI {g * batch:,.0f}")


if __name__ == "__main__":
    main()
