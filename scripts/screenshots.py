"""Render every plugin's panel after a short warm-up, offscreen, into docs/images/<plugin>.png.

The panels are the app's own, trained by their real trainers with their default settings for
``--seconds`` (or until the run ends), then paused and grabbed with ``widget.grab()``.

    python scripts/screenshots.py [--seconds 20] [--size 1366x768] [--only td-control vae] [--out docs/images]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="workbench-screenshots-"))

from PySide6 import QtWidgets

from workbench.core.manifest import discover, with_import_errors
from workbench.core.status import State
from workbench.qt import theme
from workbench.qt.app import identify
from workbench.qt.panel import PluginPanel

STARTUP_S = 180.0


def wait(app: QtWidgets.QApplication, done, seconds: float) -> None:
    """Run the event loop until ``done()`` holds or ``seconds`` pass."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not done():
        app.processEvents()
        time.sleep(0.02)


def shoot(app: QtWidgets.QApplication, panel: PluginPanel, seconds: float, out: Path) -> str:
    """Train the panel's run for ``seconds`` after its first snapshot, hold it, draw every view and
    save the panel's pixels."""
    panel.show()
    if not panel.start():
        return f"did not start: {panel.status.text()}"
    # the warm-up counts from the first snapshot: a trainer process may take a while to start
    wait(app, lambda: not panel.running or panel.run.status().step > 0, STARTUP_S)
    wait(app, lambda: not panel.running, seconds)  # the run ended, or trains on past the warm-up
    if panel.running:
        panel.toggle_pause()
        wait(app, lambda: panel.run.status().state == State.PAUSED, 10)
    else:
        wait(app, panel.start_button.isEnabled, 10)  # the end has reached the buttons
    for _ in range(8):  # array views redraw a few per tick: give each its turn
        panel.refresh()
        app.processEvents()
    panel.grab().save(str(out))
    state = panel.run.status()
    panel.shutdown()
    return f"{state.state} at step {state.step:,}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="warm-up per plugin")
    parser.add_argument("--size", default="1366x768", help="panel size, WIDTHxHEIGHT")
    parser.add_argument("--only", nargs="*", default=None, help="plugin ids (default: all)")
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    app = QtWidgets.QApplication(sys.argv[:1])
    identify(app)
    app.setStyle("Fusion")
    theme.set_theme(theme.current().name)  # the panel's controls in the views' theme, as the app shows them
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for m in sorted(with_import_errors(discover()), key=lambda m: m.id):
        if args.only and m.id not in args.only:
            continue
        if m.broken:
            print(f"{m.id}: skipped, broken: {m.error}")
            failed += 1
            continue
        panel = PluginPanel(m, device="cpu")
        panel.resize(width, height)
        path = args.out / f"{m.id}.png"
        print(f"{m.id}: {shoot(app, panel, args.seconds, path)} -> {path}", flush=True)
        panel.deleteLater()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
