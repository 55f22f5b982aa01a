"""A run in a child process behaves like one in this process: every scalar comes back,
controls and live changes go through, and failures are reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from faulty import MANIFEST, Config, wait_for

from workbench.core.cli import build_config
from workbench.core.manifest import find
from workbench.core.process_run import ProcessRun
from workbench.core.sinks import HistorySink, LatestSink, read_metrics


def test_every_scalar_comes_back_and_files_are_written(tmp_path):
    history = HistorySink()
    status = ProcessRun(
        MANIFEST, Config(steps=500), device="cpu", out_dir=tmp_path, sinks=[history, LatestSink()]
    ).run()
    assert status.state == "finished" and status.step == 500
    steps, _ = history.read("loss")
    assert list(steps) == list(range(1, 501))
    assert len(read_metrics(tmp_path / "metrics.csv")["step"]) == 500


def test_live_change_pause_and_stop_reach_the_child():
    history = HistorySink()
    run = ProcessRun(MANIFEST, Config(mode="slow"), device="cpu", sinks=[history])
    t = threading.Thread(target=run.run)
    t.start()
    assert wait_for(lambda: history.count("rate") > 3)
    run.change(rate=7.0)
    assert wait_for(lambda: bool(run.changes))
    assert history.marks()[0][1] == {"rate": 7.0}
    run.pause()
    assert wait_for(lambda: run.status().state == "paused")
    run.stop()
    t.join(15)
    assert not t.is_alive() and run.status().state == "stopped"
    assert run.cfg.rate == 7.0  # the child's final config came back
    steps, rates = history.read("rate")
    changed_at = run.changes[0]["step"]
    assert set(rates[steps <= changed_at]) == {1.0} and set(rates[steps > changed_at]) == {7.0}  # the trainer used it


def test_status_follows_controls_quickly_after_a_quiet_spell():
    """Status rides with the trainer's batches; once it is paused, the child reports on its own."""
    history = HistorySink()
    run = ProcessRun(MANIFEST, Config(mode="slow"), device="cpu", sinks=[history])
    t = threading.Thread(target=run.run)
    t.start()
    try:
        assert wait_for(lambda: history.count("loss") > 3)
        time.sleep(1.5)  # long enough for the child to report only now and then
        assert run.status().step >= history.read("loss")[0][-1] - 5  # batches bring the status along
        run.pause()
        assert wait_for(lambda: run.status().state == "paused", timeout=0.4)
        paused_at = run.status().step
        time.sleep(0.6)
        assert run.status().state == "paused" and run.status().step == paused_at
        run.unpause()
        assert wait_for(lambda: run.status().state == "running" and run.status().step > paused_at, timeout=0.4)
    finally:
        run.stop()
        t.join(15)
    assert not t.is_alive()


def test_a_failing_trainer_is_reported_with_its_traceback():
    status = ProcessRun(MANIFEST, Config(mode="raise", steps=3), device="cpu").run()
    assert status.state == "failed"
    assert "the trainer broke on purpose" in status.message


def test_arrays_larger_than_the_pipe_come_back_whole():
    latest = LatestSink()
    status = ProcessRun(MANIFEST, Config(mode="big", steps=30), device="cpu", sinks=[latest]).run()
    assert status.state == "finished"
    _, image = latest.read("image")
    assert image.shape == (1024, 1024) and (image == 30).all()


def test_only_the_arrays_asked_for_come_back():
    latest = LatestSink()
    status = ProcessRun(
        MANIFEST, Config(mode="big", steps=3), device="cpu", sinks=[latest], array_keys=frozenset({"other"})
    ).run()
    assert status.state == "finished" and latest.keys() == []


def test_a_killed_trainer_process_is_reported():
    history = HistorySink()
    run = ProcessRun(MANIFEST, Config(mode="slow"), device="cpu", sinks=[history])
    result = []
    t = threading.Thread(target=lambda: result.append(run.run()))
    t.start()
    assert wait_for(lambda: history.count("loss") > 3)
    os.kill(run._process.pid, signal.SIGKILL)
    t.join(15)
    assert result and result[0].state == "failed"
    assert "ended unexpectedly (exit code -9)" in result[0].message


def test_a_trainer_that_renders_with_pygame_still_ends_on_sigterm():
    """SDL installs its own SIGTERM handler when a toy-text world first renders."""
    manifest = find("td-control")
    latest = LatestSink()
    run = ProcessRun(
        manifest,
        build_config(manifest, ["episodes=100000"]),
        device="cpu",
        sinks=[latest],
        array_keys=frozenset({"render"}),
    )
    result = []
    t = threading.Thread(target=lambda: result.append(run.run()))
    t.start()
    try:
        assert wait_for(lambda: latest.read("render")[1] is not None)
        os.kill(run._process.pid, signal.SIGTERM)
        t.join(10)
        assert result and "exit code -15" in result[0].message
    finally:
        run.stop()
        t.join(15)


PARENT = """
import sys, threading
sys.path.insert(0, {tests!r})
from faulty import MANIFEST, Config
from workbench.core.process_run import ProcessRun
if __name__ == "__main__":
    run = ProcessRun(MANIFEST, Config(mode="slow"), device="cpu", out_dir={out!r})
    threading.Thread(target=run.run, daemon=True).start()
    while run._process.pid is None:
        pass
    print(run._process.pid, flush=True)
    threading.Event().wait()
"""


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"  # a zombie has ended
    except FileNotFoundError:
        return True


def test_the_trainer_stops_and_keeps_its_files_when_the_app_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT.format(tests=str(Path(__file__).parents[1]), out=str(tmp_path / "run")))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    metrics = tmp_path / "run" / "metrics.csv"
    assert wait_for(lambda: metrics.exists() and len(read_metrics(metrics).get("step", [])) > 3)
    parent.kill()
    parent.wait()
    assert wait_for(
        lambda: _gone(child), timeout=30
    )  # it saves a checkpoint first: torch loads slowly on a busy machine
    assert len(read_metrics(metrics)["step"]) > 3
