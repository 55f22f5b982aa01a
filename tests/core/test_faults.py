"""Faults a hostile user finds: each ends in one clear line, the right exit code and nothing lost."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from faulty import MANIFEST, Config, wait_for

from workbench.core.checkpoint import load_checkpoint, save_checkpoint
from workbench.core.cli import main
from workbench.core.driver import Run
from workbench.core.sinks import read_metrics

WORKBENCH = [sys.executable, "-m", "workbench.core.cli"]
TD = ["run", "td-control", "--quiet", "--set", "render=false"]


def lines(err: str) -> list[str]:
    return [line for line in err.strip().splitlines() if line]


def one_line_error(capsys, code: int, args: list[str]) -> str:
    assert main(args) == code
    err = lines(capsys.readouterr().err)
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the checkpoint history too), by its path there."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_resume_never_writes_into_a_third_runs_folder(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main([*TD, "--set", "episodes=3", "--out", str(a)]) == 0
    assert main(["run", "bandit", "--quiet", "--set", "runs=2", "--set", "steps=5", "--out", str(b)]) == 0
    before = contents(b)
    capsys.readouterr()
    err = one_line_error(capsys, 2, [*TD, "--resume", str(a), "--set", "episodes=5", "--out", str(b)])
    assert f"{b} is not empty" in err
    assert contents(b) == before
    # resuming into a new folder, or the checkpoint's own, is fine
    assert main([*TD, "--resume", str(a), "--set", "episodes=5", "--out", str(tmp_path / "c")]) == 0
    assert main([*TD, "--resume", str(a / "checkpoint.pt"), "--set", "episodes=5", "--out", str(a)]) == 0


@pytest.mark.parametrize(
    "make_out, message",
    [
        (lambda d: (d / "f").write_text("x") and d / "f", "is a file, not a folder"),
        (lambda d: (d / "f").write_text("x") and d / "f" / "run", "cannot write to --out"),
    ],
)
def test_an_out_that_cannot_hold_a_run_is_one_line_and_exit_2(tmp_path, capsys, make_out, message):
    out = make_out(tmp_path)
    assert message in one_line_error(capsys, 2, [*TD, "--set", "episodes=2", "--out", str(out)])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_out_is_one_line_and_exit_2(tmp_path, capsys):
    tmp_path.chmod(0o500)
    try:
        assert "cannot write to --out" in one_line_error(capsys, 2, [*TD, "--out", str(tmp_path / "run")])
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.parametrize("flag", ["--fps=0", "--fps=-5", "--fps=nan", "--fps=1e-300", "--checkpoint-every=-1"])
def test_bad_recording_and_checkpoint_flags_write_nothing(tmp_path, capsys, flag):
    out = tmp_path / "run"
    one_line_error(capsys, 2, [*TD, "--record", flag, "--out", str(out)])
    assert not out.exists()


def test_a_nan_pause_never_saves_over_the_last_good_checkpoint(tmp_path):
    run = Run(MANIFEST, Config(mode="nan", steps=6), device="cpu", out_dir=tmp_path, checkpoint_every_s=0.0)
    import threading

    t = threading.Thread(target=run.run)
    t.start()
    assert wait_for(lambda: run.status().state == "paused")
    assert "checkpoints from here on are not saved" in run.status().message
    run.stop()
    t.join(10)
    saved = load_checkpoint(tmp_path, "faulty")
    assert saved["step"] == 5 and saved["state"]["step"] == 5  # the last step before the NaN
    assert json.loads((tmp_path / "config.json").read_text())["nonfinite_at"] == 6


def test_a_resume_with_a_changed_model_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "vae"
    sets = ["data=digits", "n=64", "epochs=1", "batch_size=32", "hidden=32", "view_every=1000"]
    assert main(["run", "vae", "--quiet", "--out", str(out), *[a for s in sets for a in ("--set", s)]]) == 0
    before = contents(out)
    capsys.readouterr()
    err = one_line_error(capsys, 2, ["run", "vae", "--resume", str(out), "--set", "hidden=64", "--out", str(out)])
    assert "cannot resume with hidden changed" in err
    assert contents(out) == before


def test_a_checkpoint_without_the_state_a_trainer_needs_is_refused_and_leaves_the_run_alone(tmp_path, capsys):
    out = tmp_path / "td"
    assert main([*TD, "--set", "episodes=3", "--out", str(out)]) == 0
    payload = load_checkpoint(out, "td-control")
    save_checkpoint(out / "checkpoint.pt", {}, "td-control", payload["config"])
    before = contents(out)
    capsys.readouterr()
    err = one_line_error(capsys, 2, [*TD, "--resume", str(out), "--set", "episodes=5", "--out", str(out)])
    assert err.startswith(f"workbench: error: cannot resume from {out}") and "KeyError" in err
    assert contents(out) == before


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_ends_the_run_in_one_line_with_whole_rows_and_no_temp_files(tmp_path):
    out = tmp_path / "full"
    proc = subprocess.run(
        [*WORKBENCH, *TD, "--set", "episodes=100000", "--out", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size(16_384),
        timeout=300,
    )
    err = lines(proc.stderr)
    assert proc.returncode == 1, proc.stderr
    assert len(err) == 1 and "Traceback" not in err[0] and "File too large" in err[0], err
    raw = (out / "metrics.csv").read_text()
    rows = raw.splitlines()
    assert raw.endswith("\n") and len({row.count(",") for row in rows}) == 1  # whole rows only
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert json.loads((out / "config.json").read_text())["state"] == "failed"


def test_ctrl_c_stops_cleanly_with_a_checkpoint(tmp_path):
    out = tmp_path / "int"
    proc = subprocess.Popen(
        [*WORKBENCH, *TD, "--set", "episodes=1000000", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: (out / "metrics.csv").exists() and (out / "metrics.csv").stat().st_size > 2000, 60)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert stdout.startswith("stopped at step")
    assert json.loads((out / "config.json").read_text())["state"] == "stopped"
    assert load_checkpoint(out, "td-control")["step"] > 0


def _last_step(out: Path) -> float:
    try:
        return float(read_metrics(out / "metrics.csv")["step"][-1])
    except (KeyError, IndexError, ValueError, OSError):
        return -1.0


def test_a_resume_after_kill_9_logs_no_step_twice(tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [*WORKBENCH, *TD, "--set", "episodes=1000000", "--checkpoint-every", "1", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_for(lambda: (out / "checkpoint.pt").exists(), 60)
    # let rows reach the disk past the checkpoint, as a crash between two checkpoints leaves them
    assert wait_for(lambda: _last_step(out) > load_checkpoint(out, "td-control")["step"] + 20, 60)
    proc.kill()
    proc.wait(10)
    logged = read_metrics(out / "metrics.csv")["step"]
    checkpoint_step = load_checkpoint(out, "td-control")["step"]
    assert logged[-1] > checkpoint_step  # the crash left rows the checkpoint does not cover
    assert main([*TD, "--resume", str(out), "--steps", str(int(logged[-1]) + 50), "--out", str(out)]) == 0
    steps = read_metrics(out / "metrics.csv")["step"]
    assert (steps[1:] > steps[:-1]).all()  # every step once, in order
    assert steps[-1] >= logged[-1] + 50


def test_settings_that_cannot_fit_in_memory_are_refused_with_the_estimate(tmp_path, capsys):
    out = tmp_path / "big"
    err = one_line_error(
        capsys,
        2,
        ["run", "dqn", "--set", "env=ALE/SpaceInvaders-v5", "--set", "buffer_size=10000000", "--out", str(out)],
    )
    assert "need about 65.8 GiB for a replay of 10,000,000 transitions" in err and not out.exists()


def test_settings_that_take_much_memory_say_so(capsys):
    from workbench.core.cli import build_config
    from workbench.core.manifest import find

    build_config(find("bandit"), ["runs=20000", "k=1000", "compare=epsilon"])
    err = lines(capsys.readouterr().err)
    assert err == [
        "workbench: note: these settings take about 1.9 GiB of memory for 3 agent(s) x 20,000 runs x 1000 arms"
    ]
