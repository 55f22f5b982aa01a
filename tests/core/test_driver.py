"""The run driver: live changes, pause/step/stop, faults, NaN, checkpoints and resuming."""

from __future__ import annotations

import json
import threading
import time

import pytest
from faulty import MANIFEST, Config, wait_for

from workbench.core.checkpoint import CHECKPOINT_NAME, CheckpointError, load_checkpoint
from workbench.core.driver import Run
from workbench.core.sinks import HistorySink, Sink, read_metrics


def run_in_thread(run):
    t = threading.Thread(target=run.run)
    t.start()
    return t


def test_live_change_lands_with_its_step(tmp_path):
    history = HistorySink()
    run = Run(MANIFEST, Config(mode="slow"), out_dir=tmp_path, sinks=[history], device="cpu")
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().step >= 3)
    run.change(rate=5.0)
    assert wait_for(lambda: run.changes)
    run.stop()
    t.join(2)
    step = run.changes[0]["step"]
    steps, rates = history.read("rate")
    assert all(rates[steps <= step] == 1.0) and all(rates[steps > step] == 5.0)
    assert history.marks()[0] == (step, {"rate": 5.0}, {"rate": 1.0})
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["changes"] == [{"step": step, "changes": {"rate": 5.0}, "previous": {"rate": 1.0}}]
    assert saved["config"]["rate"] == 1.0 and saved["final_config"]["rate"] == 5.0
    assert "torch" in saved["versions"]


def test_non_live_change_is_refused_with_a_message():
    run = Run(MANIFEST, Config(mode="slow"), device="cpu")
    t = run_in_thread(run)
    run.change(steps=3)
    assert wait_for(lambda: "cannot change while training" in run.status().message)
    run.stop()
    t.join(2)
    assert run.cfg.steps == 50


def test_stop_lands_within_a_second():
    run = Run(MANIFEST, Config(mode="slow"), device="cpu")
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().step > 2)
    started = time.perf_counter()
    run.stop()
    t.join(5)
    assert not t.is_alive() and time.perf_counter() - started < 1.0
    assert run.status().state == "stopped"


def test_pause_then_step_lets_one_snapshot_through():
    run = Run(MANIFEST, Config(mode="slow"), device="cpu")
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().step > 1)
    run.pause()
    assert wait_for(lambda: run.status().state == "paused")
    time.sleep(0.1)
    paused_at = run.status().step
    time.sleep(0.2)
    assert run.status().step == paused_at
    run.step_once()
    assert wait_for(lambda: run.status().step == paused_at + 1)
    time.sleep(0.2)
    assert run.status().step == paused_at + 1
    run.stop()
    t.join(2)


def test_a_failing_trainer_keeps_its_files(tmp_path):
    run = Run(MANIFEST, Config(mode="raise", steps=20), out_dir=tmp_path, device="cpu", checkpoint_every_s=0.0)
    status = run.run()
    assert status.state == "failed"
    assert "RuntimeError: the trainer broke on purpose" in run.error
    assert "the trainer broke on purpose" in status.message
    assert len(read_metrics(tmp_path / "metrics.csv")["step"]) == 20
    assert int(load_checkpoint(tmp_path, "faulty")["state"]["step"]) >= 19


class _SeesCheckpoint(HistorySink):
    """Notes, when closed, whether the run's checkpoint was already written."""

    def __init__(self, path) -> None:
        super().__init__()
        self.path, self.checkpoint_at_close = path, None

    def close(self) -> None:
        self.checkpoint_at_close = self.path.exists()


def test_the_last_rows_reach_the_sinks_before_the_final_checkpoint(tmp_path):
    sink = _SeesCheckpoint(tmp_path / CHECKPOINT_NAME)
    status = Run(MANIFEST, Config(steps=20), out_dir=tmp_path, sinks=[sink], device="cpu").run()
    assert status.state == "finished" and sink.count("loss") == 20
    assert sink.checkpoint_at_close is False
    assert int(load_checkpoint(tmp_path, "faulty")["state"]["step"]) == 20


def test_nan_pauses_in_the_gui_and_stops_headless(tmp_path):
    run = Run(MANIFEST, Config(mode="nan", steps=5), device="cpu", on_nonfinite="pause")
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().state == "paused")
    assert "loss is nan at step 5" in run.status().message
    run.stop()
    t.join(2)
    headless = Run(MANIFEST, Config(mode="nan", steps=5), device="cpu", on_nonfinite="stop").run()
    assert headless.state == "failed" and "loss is nan" in headless.message


def test_resume_continues_the_curves(tmp_path):
    Run(MANIFEST, Config(steps=10), out_dir=tmp_path, device="cpu").run()
    Run(MANIFEST, Config(steps=25), out_dir=tmp_path, device="cpu", resume_from=tmp_path).run()
    steps = read_metrics(tmp_path / "metrics.csv")["step"]
    assert list(steps) == list(range(1, 26))


def test_bad_checkpoints_say_why(tmp_path):
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable Workbench checkpoint"):
        load_checkpoint(tmp_path, "faulty")
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "missing", "faulty")
    good = tmp_path / "good"
    Run(MANIFEST, Config(steps=3), out_dir=good, device="cpu").run()
    with pytest.raises(CheckpointError, match="saved by plugin 'faulty', not 'td-control'"):
        load_checkpoint(good, "td-control")
    status = Run(MANIFEST, Config(), device="cpu", resume_from=tmp_path).run()
    assert status.state == "failed" and "not a readable Workbench checkpoint" in status.message


def test_an_action_reaches_the_trainer_as_an_event_and_is_logged_apart_from_changes(tmp_path):
    history = HistorySink()
    run = Run(MANIFEST, Config(mode="slow"), out_dir=tmp_path, sinks=[history], device="cpu")
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().step >= 3)
    run.act("bump", by=2.5)
    assert wait_for(lambda: history.count("total") and history.read("total")[1][-1] == 2.5)
    run.stop()
    t.join(2)
    saved = json.loads((tmp_path / "config.json").read_text())
    step = saved["events"][0]["step"]
    assert saved["events"] == [{"step": step, "action": "bump", "payload": {"by": 2.5}}]
    assert saved["changes"] == [] and history.marks() == []  # an action is no config change and no mark
    assert saved["final_config"] == saved["config"]
    steps, totals = history.read("total")
    assert all(totals[steps <= step] == 0.0) and all(totals[steps > step] == 2.5)


@pytest.mark.parametrize(
    "name, payload, message",
    [
        ("jump", {}, "unknown action 'jump'; this plugin has: bump"),
        ("bump", {"by": -1.0}, r"action 'bump': by=-1.0 is outside \[0.0, 100.0\]"),
        ("bump", {"to": 1.0}, "action 'bump' has no argument 'to'; allowed: by"),
    ],
)
def test_a_bad_action_is_refused_at_once_with_what_is_allowed(name, payload, message):
    run = Run(MANIFEST, Config(), device="cpu")
    with pytest.raises(ValueError, match=message):
        run.act(name, **payload)


def test_stop_while_paused_reads_stopping_until_the_run_ends():
    gate = threading.Event()

    class HeldOpen(Sink):  # the run cannot end before its sinks close
        def close(self) -> None:
            gate.wait(5)

    run = Run(MANIFEST, Config(mode="slow"), device="cpu", sinks=[HeldOpen()])
    run.pause()
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().state == "paused")
    run.stop()
    time.sleep(0.1)  # give the woken run time to end, which it must not do before its sink closes
    assert run.status().state == "stopping"
    gate.set()
    t.join(5)
    assert run.status().state == "stopped"


def test_stop_between_safe_points_runs_on_to_the_next_and_keeps_a_checkpoint(tmp_path):
    run = Run(MANIFEST, Config(mode="odd"), device="cpu", out_dir=tmp_path)
    t = run_in_thread(run)
    assert wait_for(lambda: run.status().step > 5 and run.status().step % 4 != 0)
    run.stop()
    t.join(5)
    saved = load_checkpoint(tmp_path, "faulty")
    assert saved["step"] % 4 == 0 and saved["step"] >= 4 and run.status().state == "stopped"
