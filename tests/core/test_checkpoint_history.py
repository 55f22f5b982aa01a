"""A run keeps a thinned history of its checkpoints (checkpoints/step-<step>.pt) spanning the
whole run, so it can be resumed or forked from an earlier point."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

from workbench.core.checkpoint import (
    HISTORY_DIR,
    HISTORY_MAX_BYTES,
    CheckpointError,
    checkpoint_at,
    checkpoint_steps,
    keep_in_history,
    load_checkpoint,
)
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import read_metrics


def td_control(**settings):
    return find("td-control").config_class()(
        env="FrozenLake-v1", episodes=60, epsilon=0.3, render=False, seed=3, algo="q-learning", **settings
    )


def test_thinning_keeps_the_first_and_newest_and_spans_the_run(tmp_path):
    latest = tmp_path / "checkpoint.pt"
    latest.write_bytes(b"state")
    for step in range(0, 500, 10):
        keep_in_history(latest, step, keep=6)
        steps = checkpoint_steps(tmp_path)
        assert steps[0] == 0 and steps[-1] == step
        assert len(steps) <= 6
    gaps = [b - a for a, b in zip(steps, steps[1:])]
    assert max(gaps) <= 4 * min(gaps)  # about even, not bunched at the end
    assert steps[1] < 250  # the older half of the run is still there


def test_a_history_file_is_a_link_that_outlives_the_next_save(tmp_path):
    latest = tmp_path / "checkpoint.pt"
    latest.write_bytes(b"step 5")
    kept = keep_in_history(latest, 5)
    tmp = tmp_path / "new.tmp"
    tmp.write_bytes(b"step 9")
    os.replace(tmp, latest)  # how save_checkpoint writes: a new file renamed over the old
    keep_in_history(latest, 9)
    assert kept is not None and kept.read_bytes() == b"step 5"
    assert checkpoint_at(tmp_path, 9).read_bytes() == b"step 9"


def test_resuming_from_an_earlier_step_drops_the_history_past_it(tmp_path):
    latest = tmp_path / "checkpoint.pt"
    latest.write_bytes(b"x")
    for step in (10, 20, 30):
        keep_in_history(latest, step)
    keep_in_history(latest, 15)
    assert checkpoint_steps(tmp_path) == [10, 15]


def test_a_checkpoint_over_a_gibibyte_is_not_kept(tmp_path, caplog):
    huge = tmp_path / "checkpoint.pt"
    with huge.open("wb") as f:
        f.truncate(HISTORY_MAX_BYTES + 1)  # sparse: costs no disk
    with caplog.at_level(logging.WARNING):
        assert keep_in_history(huge, 7) is None
    assert checkpoint_steps(tmp_path) == []
    assert len(caplog.records) == 1 and "not kept" in caplog.records[0].getMessage()


def test_checkpoint_at_picks_the_newest_at_or_before_a_step(tmp_path):
    latest = tmp_path / "checkpoint.pt"
    latest.write_bytes(b"x")
    for step in (3, 8, 20):
        keep_in_history(latest, step)
    assert checkpoint_at(tmp_path, 8).name == "step-000000008.pt"
    assert checkpoint_at(tmp_path, 19).name == "step-000000008.pt"
    assert checkpoint_at(tmp_path, 10**6).name == "step-000000020.pt"
    with pytest.raises(CheckpointError, match=r"before step 2; its checkpoint steps: 3, 8, 20$"):
        checkpoint_at(tmp_path, 2)


def test_a_run_keeps_its_history_and_resumes_from_an_earlier_checkpoint(tmp_path):
    manifest = find("td-control")
    cfg = td_control()
    straight = Run(
        manifest,
        cfg,
        device="cpu",
        out_dir=tmp_path / "a",
        checkpoint_every_s=0.0,
        keep_checkpoints=5,
        on_nonfinite="stop",
    )
    assert straight.run().state == "finished", straight.error
    steps = checkpoint_steps(tmp_path / "a")
    final = load_checkpoint(tmp_path / "a", manifest.id)["step"]
    assert 3 <= len(steps) <= 5 and steps[-1] == final
    assert len(list((tmp_path / "a" / HISTORY_DIR).iterdir())) == len(steps)  # no temporary files left
    middle = checkpoint_at(tmp_path / "a", final // 2)
    start = load_checkpoint(middle, manifest.id)["step"]
    assert 0 < start <= final // 2

    resumed = Run(manifest, cfg, device="cpu", out_dir=tmp_path / "b", resume_from=middle, on_nonfinite="stop")
    assert resumed.run().state == "finished", resumed.error
    full, tail = read_metrics(tmp_path / "a" / "metrics.csv"), read_metrics(tmp_path / "b" / "metrics.csv")
    later = full["step"] > start
    for column in full.keys() - {"wall_time"}:
        np.testing.assert_array_equal(tail[column], full[column][later], err_msg=column)
