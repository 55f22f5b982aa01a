"""The bandit testbed against Sutton & Barto's chapter 2 figures, on budgets that run in seconds."""

from __future__ import annotations

import numpy as np
import pytest
from cli_errors import rejected
from trainers import collect

from workbench.core.cli import build_config, main
from workbench.core.config import specs
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import read_metrics
from workbench_plugins.bandit.agents import AgentSpec, VectorAgent
from workbench_plugins.bandit.config import Config
from workbench_plugins.bandit.trainer import train


def run_headless(tmp_path, **sets):
    manifest = find("bandit")
    cfg = build_config(manifest, [f"{k}={v}" for k, v in sets.items()])
    run = Run(manifest, cfg, device="cpu", out_dir=tmp_path, on_nonfinite="stop")
    assert run.run().state == "finished", run.error
    return read_metrics(tmp_path / "metrics.csv")


def test_epsilon_comparison_reproduces_figure_2_2(tmp_path):
    """eps=0.1 finds the best arm far more often than greedy, and earns more on average."""
    m = run_headless(tmp_path, compare="epsilon", runs=400, steps=400)
    late = slice(200, 400)
    assert len(m["step"]) == 400
    np.testing.assert_array_equal(m["avg_reward"], m["avg_reward/eps=0"])  # plain names: the first agent
    assert m["pct_optimal/eps=0.1"][late].mean() > m["pct_optimal/eps=0"][late].mean() + 20
    assert m["avg_reward/eps=0.1"][late].mean() > m["avg_reward/eps=0"][late].mean() + 0.1
    assert m["pct_optimal/eps=0"][0] == pytest.approx(10, abs=5)  # a random pick among 10 at first
    saved = np.load(tmp_path / "pct_optimal.npy")
    assert saved.shape == (3, 400)


def test_ucb_beats_epsilon_greedy_figure_2_4(tmp_path):
    m = run_headless(tmp_path, compare="ucb", runs=400, steps=500)
    assert m["avg_reward/ucb c=2"][200:].mean() > m["avg_reward/eps=0.1"][200:].mean() + 0.05  # 1.41 vs 1.33


def test_gradient_baseline_matters_figure_2_5(tmp_path):
    """With true values around +4, the gradient bandit without a baseline learns far slower."""
    m = run_headless(tmp_path, compare="gradient", mean=4.0, runs=300, steps=300)
    late = slice(150, 300)
    assert m["pct_optimal/alpha=0.1"][late].mean() > m["pct_optimal/alpha=0.1 no-baseline"][late].mean() + 15


def test_constant_step_size_tracks_drifting_arms_exercise_2_5(tmp_path):
    """With drifting true values, sample averages stop following the arms; a constant step keeps up."""
    m = run_headless(tmp_path, compare="step-size", walk_std=0.01, runs=200, steps=4000)
    late = slice(3000, 4000)
    assert m["pct_optimal/alpha=0.1"][late].mean() > m["pct_optimal/sample-average"][late].mean() + 5


def test_sample_averages_converge_to_true_values():
    rng = np.random.default_rng(0)
    q_star = rng.normal(size=(5, 10))
    agent = VectorAgent(AgentSpec("explore", epsilon=1.0), runs=5, k=10)
    for t in range(3000):
        a = agent.act(t, rng)
        agent.learn(a, q_star[np.arange(5), a] + rng.normal(size=5), t)
    assert np.abs(agent.q - q_star).max() < 0.35
    assert agent.n.sum() == 5 * 3000


def test_ucb_tries_every_arm_first():
    rng = np.random.default_rng(0)
    agent = VectorAgent(AgentSpec("ucb", kind="ucb", c=2.0), runs=3, k=10)
    for t in range(10):
        a = agent.act(t, rng)
        agent.learn(a, np.zeros(3), t)
    np.testing.assert_array_equal(agent.n, np.ones((3, 10)))


def test_live_epsilon_retunes_the_single_agent():
    """Against a same-seed run without the change: the same until it lands, then other choices."""
    cfg = Config(compare="none", epsilon=0.0, runs=50, steps=30)
    changed, kept = collect(train, cfg, changes={"epsilon": 0.5}), collect(train, cfg)
    assert changed[2].scalars["epsilon"] == 0.5 and kept[2].scalars["epsilon"] == 0.0
    assert [s.scalars for s in changed[:2]] == [s.scalars for s in kept[:2]]
    after = slice(2, None)
    assert [s.scalars["pct_optimal"] for s in changed[after]] != [s.scalars["pct_optimal"] for s in kept[after]]


# For each field with a ``when`` condition: settings under which it applies, and a value that changes the run.
APPLIES = {
    "agent": (["compare=none"], "ucb"),
    "epsilon": (["compare=none"], "0.5"),
    "epsilon_schedule": (["compare=none"], "linear"),
    "epsilon_end": (["compare=none", "epsilon_schedule=linear"], "0.9"),
    "epsilon_duration": (["compare=none", "epsilon_schedule=linear"], "5"),
    "epsilon_decay": (["compare=none", "epsilon_schedule=exponential"], "0.5"),
    "alpha": (["compare=none"], "0.5"),
    "q_init": (["compare=none"], "5"),
    "c": (["compare=none", "agent=ucb"], "0.1"),
    "temperature": (["compare=none", "agent=softmax"], "5"),
    "baseline": (["compare=none", "agent=gradient", "alpha=0.1", "mean=4"], "false"),
}
DOES_NOT_APPLY = ["compare=epsilon"]


def metrics_and_notes(out, capsys, sets: list[str]) -> tuple[list, list[str]]:
    args = ["run", "bandit", "--out", str(out), "--quiet", "--set", "runs=20", "--set", "steps=40"]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "has no effect" in line]
    rows = (out / "metrics.csv").read_text().splitlines()
    return [row.split(",", 2)[::2] for row in rows], notes  # without wall_time, which differs between any two runs


def test_every_conditional_setting_is_listed():
    assert set(APPLIES) == {s.name for s in specs(Config) if s.when is not None}


@pytest.mark.parametrize("name", sorted(APPLIES))
def test_a_setting_has_an_effect_exactly_where_its_condition_says(name, tmp_path, capsys):
    """Where it does not apply: the same metrics to the byte, and one line saying so; where it does: others."""
    on, value = APPLIES[name]
    off_plain, _ = metrics_and_notes(tmp_path / "off", capsys, DOES_NOT_APPLY)
    off_set, notes = metrics_and_notes(tmp_path / "off-set", capsys, [*DOES_NOT_APPLY, f"{name}={value}"])
    assert off_set == off_plain
    assert len(notes) == 1 and notes[0].split("note: ")[1].startswith(f"{name} has no effect unless")
    on_plain, _ = metrics_and_notes(tmp_path / "on", capsys, on)
    on_set, notes = metrics_and_notes(tmp_path / "on-set", capsys, [*on, f"{name}={value}"])
    assert notes == []
    assert on_set != on_plain


@pytest.mark.parametrize(
    "sets, message",
    [
        (["epsilon=1.5"], "epsilon=1.5 is outside [0.0, 1.0]"),
        (["compare=none", "agent=gradient", "alpha=0"], "alpha=0.0 gives the gradient agent no step size"),
        (["compare=eps"], "compare='eps' is not one of"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(tmp_path, capsys, sets, message):
    assert message in rejected("bandit", sets, tmp_path / "out", capsys)
