"""GUI responsiveness while a plugin trains in its panel: event-loop latency (p50/p99 of a 5 ms
timer's lateness) and how often the views actually refresh.

    python benchmarks/bench_event_loop.py --plugin td-control --seconds 10
Goals: p99 latency <= 20 ms, view refresh >= 25 Hz.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-"))

import numpy as np  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

from workbench.core.cli import build_config  # noqa: E402
from workbench.core.config import to_dict  # noqa: E402
from workbench.core.manifest import find  # noqa: E402
from workbench.qt.panel import PluginPanel  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--plugin", default="td-control")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = p.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    manifest = find(args.plugin)
    panel = PluginPanel(manifest, to_dict(build_config(manifest, args.set)), device="cpu")
    panel.resize(1400, 900)
    panel.show()
    refreshes = []
    original = panel.refresh

    def counted() -> None:
        refreshes.append(time.perf_counter())
        original()

    panel.timer.timeout.disconnect()
    panel.timer.timeout.connect(counted)
    late: list[float] = []
    expected = [time.perf_counter() + 0.005]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, now - expected[0]))
        expected[0] = now + 0.005

    probe = QtCore.QTimer()
    probe.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    probe.timeout.connect(tick)
    panel.start()
    probe.start(5)
    QtCore.QTimer.singleShot(int(args.seconds * 1000), app.quit)
    app.exec()
    probe.stop()
    steps = panel.run.status().step
    panel.shutdown()
    lat = np.array(late[20:]) * 1000
    span = refreshes[-1] - refreshes[0] if len(refreshes) > 1 else float("nan")
    hz = (len(refreshes) - 1) / span
    print(
        f"{args.plugin}: trained {steps} steps in {args.seconds:.0f}s; event-loop latency p50 {np.percentile(lat, 50):.1f} ms, "
        f"p99 {np.percentile(lat, 99):.1f} ms, max {lat.max():.1f} ms; views refreshed at {hz:.1f} Hz"
    )


if __name__ == "__main__":
    main()
