"""A trainer process spawned ahead of Start runs the config it is sent at Start, and only one run."""

from __future__ import annotations

import dataclasses
import threading

from faulty import MANIFEST, Config, wait_for

from workbench.core.process_run import WARM, ProcessRun, WarmTrainers
from workbench.core.sinks import HistorySink, read_metrics


def test_a_run_takes_the_warm_process_and_runs_the_config_sent_at_start(tmp_path):
    spare = WARM.prepare(MANIFEST)
    history = HistorySink()
    run = ProcessRun(MANIFEST, Config(steps=37, rate=3.0), device="cpu", out_dir=tmp_path, sinks=[history])
    assert run.trainer is spare and WARM.take(MANIFEST) is None  # taken: no second run gets it
    status = run.run()
    assert status.state == "finished" and status.step == 37
    assert set(history.read("rate")[1]) == {3.0}
    assert len(read_metrics(tmp_path / "metrics.csv")["step"]) == 37
    assert wait_for(lambda: not spare.process.is_alive())  # one run per process
    cold = ProcessRun(MANIFEST, Config(steps=2), device="cpu")
    assert cold.trainer is not spare and cold.run().state == "finished"


def test_a_live_change_reaches_a_warm_process():
    spare = WARM.prepare(MANIFEST)
    history = HistorySink()
    run = ProcessRun(MANIFEST, Config(mode="slow"), device="cpu", sinks=[history])
    assert run.trainer is spare
    t = threading.Thread(target=run.run)
    t.start()
    assert wait_for(lambda: history.count("rate") > 3)
    run.change(rate=7.0)
    assert wait_for(lambda: bool(run.changes))
    run.stop()
    t.join(15)
    assert run.status().state == "stopped" and run.cfg.rate == 7.0
    steps, rates = history.read("rate")
    assert set(rates[steps > run.changes[0]["step"]]) == {7.0}


def test_only_the_plugins_asked_for_last_keep_a_process():
    warm = WarmTrainers(keep=1)
    first = warm.prepare(MANIFEST)
    assert warm.prepare(MANIFEST) is first  # one per plugin
    other = warm.prepare(dataclasses.replace(MANIFEST, id="faulty-2"))
    assert wait_for(lambda: not first.process.is_alive())
    assert warm.take(MANIFEST) is None
    other.process.terminate()
