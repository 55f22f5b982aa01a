"""The app as a user starts it: `workbench gui` trains, and a kill or Ctrl+C closes it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def test_gui_autorun_exits_when_done_and_a_sigterm_leaves_no_process(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "workbench.core.cli", "gui", "--plugin", "td-control"]
    done = subprocess.run(
        [*cmd, "--set", "episodes=20", "--autorun", "--exit-when-done"],
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    runs = list((tmp_path / "runs" / "td-control").iterdir())
    assert len(runs) == 1 and (runs[0] / "metrics.csv").read_text().count("\n") == 21

    app = subprocess.Popen(
        [*cmd, "--set", "episodes=1000000", "--autorun"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(list((tmp_path / "runs" / "td-control").iterdir())) < 2:
        time.sleep(0.2)
    time.sleep(2)
    app.send_signal(signal.SIGTERM)
    assert app.wait(timeout=30) == 0
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["configs"]["td-control"]["episodes"] == 1000000
    newest = max((tmp_path / "runs" / "td-control").iterdir())
    assert json.loads((newest / "config.json").read_text())["state"] == "stopped"
