"""A long session: the app training td-control in its panel while a view is recorded to GIF.

Every ``--every`` seconds it prints the resident memory of the app process and of the trainer
process, the GIF's size on disk and the frames recorded; at the end, the RSS slope after the
first minute (MB/min and % growth over the rest of the run, from a least-squares line). A
recorder that keeps frames in memory shows as app RSS growing and a GIF that stays at 0 bytes.

    python benchmarks/bench_soak.py --minutes 30
Goal: app and trainer RSS flat after the first minute (|growth| < 5 %), the GIF growing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-soak-"))

import numpy as np  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

from workbench.core.manifest import find  # noqa: E402
from workbench.qt.panel import PluginPanel  # noqa: E402
from workbench.qt.recorder import WidgetRecorder  # noqa: E402

MB = 1024 * 1024


def rss_bytes(pid: int) -> int:
    """Resident memory of process ``pid``: psutil where installed, else /proc (Linux); 0 once gone."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - psutil.NoSuchProcess and kin: the process has ended
        return 0
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def growth(times_s: list[float], values: list[float], after_s: float) -> tuple[float, float]:
    """Least-squares slope in MB/min of the samples after ``after_s``, and the growth it makes
    over that stretch in % of the line's value at its start."""
    t = np.array([x for x in times_s if x >= after_s])
    v = np.array([y for x, y in zip(times_s, values) if x >= after_s]) / MB
    if len(t) < 2:
        return float("nan"), float("nan")
    slope, start = np.polyfit(t - t[0], v, 1)
    return slope * 60.0, 100.0 * slope * (t[-1] - t[0]) / start


class Soak:
    """Samples the app, the trainer and the recording until the time is up, then reports."""

    def __init__(self, app: QtWidgets.QApplication, minutes: float, every_s: float, gif: Path | None) -> None:
        self.app, self.duration_s, self.gif = app, minutes * 60.0, gif
        self.panel = PluginPanel(find("td-control"), {"episodes": 100_000_000}, device="cpu")
        self.panel.resize(1400, 900)
        self.panel.show()
        if not self.panel.start():
            raise SystemExit(f"the panel did not start: {self.panel.status.text()}")
        self.recorder = WidgetRecorder(self.panel.record_widget(), gif, fps=15, size=(480, 320)) if gif else None
        self.t0 = time.monotonic()
        self.samples: list[tuple[float, int, int]] = []
        self.timer = QtCore.QTimer()
        self.timer.timeout.connect(self.sample)
        self.timer.start(int(every_s * 1000))
        QtCore.QTimer.singleShot(int(self.duration_s * 1000), self.finish)
        print(f"{'time':>6} {'app RSS':>9} {'trainer RSS':>12} {'GIF on disk':>12} {'frames':>7} {'steps':>9}")

    def trainer_pid(self) -> int | None:
        process = getattr(self.panel.run, "_process", None)  # ProcessRun's child
        return process.pid if process is not None else None

    def sample(self) -> None:
        t = time.monotonic() - self.t0
        pid = self.trainer_pid()
        app_rss, trainer_rss = rss_bytes(os.getpid()), rss_bytes(pid) if pid else 0
        part = self.recorder.writer.part if self.recorder else None
        on_disk = part.stat().st_size if part is not None and part.exists() else 0
        frames = self.recorder.frames if self.recorder else 0
        step = self.panel.run.status().step
        self.samples.append((t, app_rss, trainer_rss))
        print(
            f"{t:5.0f}s {app_rss / MB:7.1f}MB {trainer_rss / MB:10.1f}MB {on_disk / MB:10.2f}MB {frames:7d} {step:9,d}",
            flush=True,
        )

    def finish(self) -> None:
        self.sample()
        self.timer.stop()
        if self.recorder is not None:
            path = self.recorder.stop()
            print(f"GIF: {path} {path.stat().st_size / MB:.2f} MB, {self.recorder.frames} frames")
        self.panel.shutdown()
        times = [s[0] for s in self.samples]
        for name, column in (("app", 1), ("trainer", 2)):
            slope, pct = growth(times, [s[column] for s in self.samples], after_s=60.0)
            print(f"{name} RSS after the first minute: {slope:+.2f} MB/min, {pct:+.1f} % over the rest of the run")
        self.app.quit()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=3.0, help="how long the session lasts")
    p.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    p.add_argument("--gif", type=Path, default=None, help="where to record (default: a temp folder)")
    p.add_argument(
        "--no-record",
        action="store_true",
        help="train without recording, to tell the recorder's memory from the views' growing history",
    )
    args = p.parse_args()
    if args.minutes <= 0 or args.every <= 0:
        raise SystemExit(f"--minutes and --every must be > 0, got {args.minutes} and {args.every}")
    gif = None if args.no_record else args.gif or Path(tempfile.mkdtemp(prefix="wb-soak-gif-")) / "soak.gif"
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    soak = Soak(app, args.minutes, args.every, gif)  # noqa: F841 - kept alive by the event loop
    app.exec()


if __name__ == "__main__":
    main()
