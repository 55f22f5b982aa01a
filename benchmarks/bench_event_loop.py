"""GUI responsiveness while a plugin trains in its panel: event-loop latency (p50/p99 of a 5 ms
timer's lateness) and how often the views actually refresh.

    python benchmarks/bench_event_loop.py --plugin td-control --seconds 10
Goals: p99 latency <= 10 ms, view refresh >= 25 Hz. ``bench_gui_vs_headless.py --all`` measures
the same latency for every plugin beside its GUI/headless speed ratio.
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

PROBE_MS = 5


class LatencyProbe:
    """How late a 5 ms precise timer fires on the GUI thread: what a person feels as lag."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (when, seconds late)
        self._expected = 0.0
        self._timer = QtCore.QTimer()
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._expected = time.perf_counter() + PROBE_MS / 1000
        self._timer.start(PROBE_MS)

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.samples.append((now, max(0.0, now - self._expected)))
        self._expected = now + PROBE_MS / 1000

    def late_ms(self, start: float = 0.0, end: float = float("inf")) -> np.ndarray:
        """Lateness in ms of the ticks between ``start`` and ``end`` (perf_counter seconds)."""
        return np.array([late for when, late in self.samples if start <= when <= end]) * 1000


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
    probe = LatencyProbe()
    panel.start()
    probe.start()
    QtCore.QTimer.singleShot(int(args.seconds * 1000), app.quit)
    app.exec()
    probe.stop()
    steps = panel.run.status().step
    panel.shutdown()
    lat = probe.late_ms()[20:]
    span = refreshes[-1] - refreshes[0] if len(refreshes) > 1 else float("nan")
    hz = (len(refreshes) - 1) / span
    print(
        f"{args.plugin}: trained {steps} steps in {args.seconds:.0f}s; event-loop latency p50 {np.percentile(lat, 50):.1f} ms, "
        f"p99 {np.percentile(lat, 99):.1f} ms, max {lat.max():.1f} ms; views refreshed at {hz:.1f} Hz"
    )


if __name__ == "__main__":
    main()
