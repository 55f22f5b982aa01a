"""A run in a child process behaves like one in this process: every scalar comes back,
controls and live changes go through, and failures are reported."""

from __future__ import annotations

import threading

from faulty import MANIFEST, Config, wait_for

from workbench.core.process_run import ProcessRun
from workbench.core.sinks import HistorySink, LatestSink, read_metrics


def test_every_scalar_comes_back_and_files_are_written(tmp_path):
    history = HistorySink()
    status = ProcessRun(MANIFEST, Config(steps=500), device="cpu", out_dir=tmp_path, sinks=[history, LatestSink()]).run()
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
    run.inbox.put(rate=7.0)
    assert wait_for(lambda: bool(run.changes))
    assert history.marks()[0][1] == {"rate": 7.0}
    run.pause()
    assert wait_for(lambda: run.status().state == "paused")
    run.stop()
    t.join(15)
    assert not t.is_alive() and run.status().state == "stopped"
    assert run.cfg.rate == 7.0


def test_a_failing_trainer_is_reported_with_its_traceback():
    status = ProcessRun(MANIFEST, Config(mode="raise", steps=3), device="cpu").run()
    assert status.state == "failed"
    assert "the trainer broke on purpose" in status.message
