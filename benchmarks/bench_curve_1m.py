"""A curve view holding 1,000,000 points: time to redraw after a pan or a zoom.

    python benchmarks/bench_curve_1m.py --points 1000000 --iterations 40
Goal: <= 30 ms per pan/zoom redraw (printed beside the same view without downsampling and
clipping, for the ratio).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6 import QtWidgets  # noqa: E402

from workbench.core.manifest import ViewSpec  # noqa: E402
from workbench.core.sinks import HistorySink, LatestSink  # noqa: E402
from workbench.core.snapshot import Snapshot  # noqa: E402
from workbench.qt.views.curve import CurveView  # noqa: E402


def redraw_ms(app, view: CurveView, n: int, iterations: int) -> float:
    times = []
    rng = np.random.default_rng(0)
    for i in range(iterations):
        width = n * (0.05 + 0.9 * rng.random()) if i % 2 else n
        start = rng.random() * (n - width)
        t0 = time.perf_counter()
        view.plot.setXRange(start, start + width, padding=0)
        view.grab()  # forces a full render, as a screen update would
        app.processEvents()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--iterations", type=int, default=40)
    args = p.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    history = HistorySink(curve_points=2_000_000)  # the app thins curves past 100k points; this times 1M
    values = np.cumsum(np.random.default_rng(1).normal(size=args.points))
    for i, v in enumerate(values):
        history.write(Snapshot(i, scalars={"episode_return": float(v)}))
    results = {}
    for label, fast in (("ours (peak downsampling + clip to view)", True), ("plain pyqtgraph curve", False)):
        view = CurveView(ViewSpec("curve", ("episode_return",), "return"), history, LatestSink())
        view.resize(800, 600)
        view.show()
        view.refresh()
        if not fast:
            item = view.curves["episode_return"]
            item.setDownsampling(auto=False)
            item.setClipToView(False)
        results[label] = redraw_ms(app, view, args.points, args.iterations)
        print(f"{label}: median pan/zoom redraw {results[label]:.1f} ms with {args.points:,} points")
        view.close()
    fast, slow = results.values()
    print(f"speed-up {slow / fast:.1f}x; goal <= 30 ms: {'met' if fast <= 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
