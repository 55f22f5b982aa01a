"""Stopping a run and resuming it from its checkpoint must give the run that never stopped: the
same metrics.csv, row for row and digit for digit (only a wall-clock column may differ)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from workbench.core.checkpoint import load_checkpoint
from workbench.core.driver import Run
from workbench.core.manifest import find

CLOCK_COLUMNS = ("wall_time",)  # the only cells that may differ between a straight and a resumed run
NOISY = "noisy-quadratic"


def rows(path: Path) -> list[list[str]]:
    """metrics.csv as text cells, without the wall-clock columns."""
    with path.open(newline="") as f:
        table = list(csv.reader(f))
    keep = [i for i, name in enumerate(table[0]) if name not in CLOCK_COLUMNS]
    return [[row[i] for i in keep] for row in table]


def resumed_equals_straight(plugin_id: str, cfg, stop_at: int, tmp_path: Path, until: int | None = None) -> int:
    """Run ``cfg`` straight through (in tmp_path/straight), and stopped at ``stop_at`` then resumed
    from its checkpoint (in tmp_path/stopped), both to the end or to step ``until``; assert both
    logged the same metrics.csv. Returns the step of the checkpoint the resume started from
    (asserted to cut the run short)."""
    manifest = find(plugin_id)
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    run = Run(manifest, cfg, device="cpu", out_dir=straight, max_steps=until, on_nonfinite="stop")
    assert run.run().state == "finished", run.error
    first = Run(manifest, cfg, device="cpu", out_dir=stopped, max_steps=stop_at, on_nonfinite="stop")
    assert first.run().state == "finished", first.error
    saved_at = load_checkpoint(stopped, manifest.id)["step"]
    expected = rows(straight / "metrics.csv")
    assert stop_at <= saved_at < int(expected[-1][0])
    second = Run(
        manifest, cfg, device="cpu", out_dir=stopped, max_steps=until, resume_from=stopped, on_nonfinite="stop"
    )
    assert second.run().state == "finished", second.error
    assert_same_metrics(straight / "metrics.csv", stopped / "metrics.csv")
    return saved_at


def assert_same_metrics(straight: Path, resumed: Path) -> None:
    """Both files hold the same rows; byte for byte unless a wall-clock column is there."""
    expected, got = rows(straight), rows(resumed)
    assert got[0] == expected[0]
    for a, b in zip(expected, got):  # the first differing row, rather than a wall of text
        assert b == a
    assert len(got) == len(expected)
    if not any(name in CLOCK_COLUMNS for name in straight.read_text().splitlines()[0].split(",")):
        assert resumed.read_bytes() == straight.read_bytes()


@pytest.mark.parametrize(
    "settings", [dict(algo="q-learning"), dict(compare="q-learning,dyna-q", runs=2)], ids=["q-learning", "compare"]
)
def test_td_control_resumes_exactly(tmp_path, settings):
    cfg = find("td-control").config_class()(
        env="FrozenLake-v1", episodes=60, epsilon=0.3, render=False, seed=3, **settings
    )
    resumed_equals_straight("td-control", cfg, 23, tmp_path)


def test_bandit_resumes_exactly(tmp_path):
    cfg = find("bandit").config_class()(runs=20, steps=60, compare="epsilon", walk_std=0.01, seed=5)
    resumed_equals_straight("bandit", cfg, 17, tmp_path)


def test_rows_logged_after_the_last_checkpoint_are_logged_once(tmp_path):
    """A run killed after its checkpoint had logged rows past it: the resume cuts them and logs them again."""
    manifest = find("bandit")
    cfg = manifest.config_class()(runs=20, steps=60, compare="epsilon", seed=5)
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    assert Run(manifest, cfg, device="cpu", out_dir=straight).run().state == "finished"
    assert Run(manifest, cfg, device="cpu", out_dir=killed, max_steps=17).run().state == "finished"
    checkpoint = (killed / "checkpoint.pt").read_bytes()
    assert Run(manifest, cfg, device="cpu", out_dir=killed, max_steps=40, resume_from=killed).run().state == "finished"
    (killed / "checkpoint.pt").write_bytes(checkpoint)  # the kill: rows to step 40, the checkpoint of step 17
    assert rows(killed / "metrics.csv")[-1][0] == "40"
    assert Run(manifest, cfg, device="cpu", out_dir=killed, resume_from=killed).run().state == "finished"
    assert_same_metrics(straight / "metrics.csv", killed / "metrics.csv")


def test_gridworld_dp_resumes_exactly(tmp_path):
    cfg = find("gridworld-dp").config_class()(algo="policy-iteration", sweeps_per_s=0.0, max_sweeps=200)
    resumed_equals_straight("gridworld-dp", cfg, 7, tmp_path)


def test_dqn_with_its_replay_resumes_exactly(tmp_path):
    """The stop lands mid-episode: the run goes on to the episode's end, where its checkpoint is exact."""
    cfg = find("dqn").config_class()(
        steps=700,
        learning_starts=100,
        train_every=50,
        updates=8,
        batch_size=32,
        buffer_size=1000,
        hidden=32,
        eval_every=300,
        eval_episodes=1,
        epsilon_duration=400,
        keep_replay=True,
        seed=2,
    )
    resumed_equals_straight("dqn", cfg, 250, tmp_path)
    assert (tmp_path / "stopped" / "replay.npz").is_file()


def test_vae_stopped_mid_epoch_resumes_exactly(tmp_path):
    """Across two epochs after the stop; short of the end, whose scored samples cost seconds."""
    cfg = find("vae").config_class()(
        data="digits", n=200, epochs=3, batch_size=32, hidden=32, kl_anneal=2, view_every=1000, seed=1
    )
    batches = 7  # per epoch: 200 images in batches of 32
    assert resumed_equals_straight("vae", cfg, 10, tmp_path, until=19) % batches != 0  # the stop fell inside an epoch


def test_the_optimiser_race_resumes_exactly(tmp_path):
    """On the noisy surface, so the gradient noise's generator must come back too."""
    cfg = find("optimisers").config_class()(steps=40, steps_per_s=0.0, hidden=16, surface=NOISY)
    resumed_equals_straight("optimisers", cfg, 15, tmp_path)


def test_the_sequence_lab_resumes_without_repeating_a_row(tmp_path):
    cfg = find("sequence").config_class()(
        hidden=32, embed=16, batch_size=8, bptt=16, steps=30, sample_every=10, eval_every=10, sample_length=32
    )
    resumed_equals_straight("sequence", cfg, 10, tmp_path)
