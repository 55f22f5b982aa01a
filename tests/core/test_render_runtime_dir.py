"""A rendering run prints nothing about XDG_RUNTIME_DIR, however the variable is (not) set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("runtime_dir", [None, "", "relative/dir"])
def test_a_rendering_td_control_run_says_nothing_about_xdg_runtime_dir(tmp_path, runtime_dir):
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    if runtime_dir is not None:
        env["XDG_RUNTIME_DIR"] = runtime_dir
    cmd = [
        sys.executable,
        "-m",
        "workbench.core.cli",
        "run",
        "td-control",
        "--set",
        "episodes=2",
        "--set",
        "render=true",
        "--record",
        "--out",
        str(tmp_path / "run"),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "record.gif").stat().st_size > 0  # frames were rendered
    assert "XDG_RUNTIME_DIR" not in done.stderr
