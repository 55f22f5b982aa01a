"""The headless CLI: listing, running, recording, resuming, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from workbench.core.cli import main
from workbench.core.sinks import read_metrics


def test_list_json_names_every_plugin(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert "td-control" in {r["id"] for r in rows}
    assert all({"id", "title", "category", "description", "broken"} <= set(r) for r in rows)


def test_run_writes_config_metrics_checkpoint_and_recording(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "run",
            "td-control",
            "--set",
            "episodes=30",
            "--set",
            "epsilon=0.2",
            "--seed",
            "3",
            "--record",
            "--fps",
            "10",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["epsilon"] == 0.2 and config["config"]["seed"] == 3
    assert config["state"] == "finished"
    metrics = read_metrics(out / "metrics.csv")
    assert list(metrics["step"]) == list(range(1, 31))
    assert {"episode_return", "episode_length", "epsilon"} <= set(metrics)
    assert (out / "checkpoint.pt").is_file()
    with Image.open(out / "record.gif") as gif:
        assert gif.n_frames >= 2 and gif.size[0] >= 48


def test_resume_continues_where_it_stopped(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "td-control", "--set", "episodes=40", "--steps", "15", "--out", str(out), "--quiet"]) == 0
    assert main(["run", "td-control", "--resume", str(out), "--out", str(out), "--quiet"]) == 0
    assert list(read_metrics(out / "metrics.csv")["step"]) == list(range(1, 41))


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "nope"], "unknown plugin 'nope'; known plugins: "),
        (["run", "td-control", "--set", "colour=red"], "unknown config key 'colour'; allowed: env, "),
        (["run", "td-control", "--set", "epsilon=1.5"], r"epsilon=1.5 is outside [0.0, 1.0]"),
        (["run", "td-control", "--set", "episodes=many"], "episodes='many' is not a valid int"),
        (["run", "td-control", "--set", "env=CartPole-v7"], "env='CartPole-v7' is not one of"),
        (["run", "td-control", "--steps", "0"], "--steps must be > 0"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, message, tmp_path, capsys):
    out = tmp_path / "never"
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("workbench: error: ") and message in err and "\n" not in err
    assert not out.exists()


def test_an_existing_run_folder_is_not_overwritten(tmp_path, capsys):
    (tmp_path / "x").write_text("keep me")
    assert main(["run", "td-control", "--out", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert (tmp_path / "x").read_text() == "keep me"


def test_corrupt_checkpoint_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "checkpoint.pt").write_bytes(b"\x00garbage")
    assert main(["run", "td-control", "--resume", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "is not a readable Workbench checkpoint" in capsys.readouterr().err


def test_a_sigterm_stops_a_headless_run_with_its_metrics_and_checkpoint(tmp_path):
    out = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "workbench.core.cli",
        "run",
        "td-control",
        "--out",
        str(out),
        "--quiet",
        "--set",
        "episodes=1000000",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    metrics = out / "metrics.csv"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and not (metrics.exists() and metrics.stat().st_size > 1000):
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()  # never leave a trainer running when the test fails
    assert proc.returncode == 0, stderr
    assert stdout.startswith("stopped at step")
    steps = read_metrics(metrics)["step"]
    last = int(stdout.split()[3])
    assert steps[-1] == last  # every row up to the stop reached the file
    assert (out / "checkpoint.pt").is_file()
