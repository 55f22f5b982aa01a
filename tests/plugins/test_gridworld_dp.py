"""Dynamic programming against Sutton & Barto's Figure 4.1, Russell & Norvig's 4x3 world and the
robot grid; grid edits by click; bad grids."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from cli_errors import rejected
from trainers import collect

from workbench.core.actions import Event
from workbench.core.cli import build_config
from workbench.core.driver import Run, RunContext
from workbench.core.manifest import find
from workbench.core.sinks import read_metrics
from workbench.core.snapshot import Snapshot
from workbench_plugins.gridworld_dp.config import Config
from workbench_plugins.gridworld_dp.trainer import train

FAST = ["sweeps_per_s=0"]


def run_headless(tmp_path, *sets):
    manifest = find("gridworld-dp")
    run = Run(manifest, build_config(manifest, [*FAST, *sets]), device="cpu", out_dir=tmp_path, on_nonfinite="stop")
    assert run.run().state == "finished", run.error
    return np.load(tmp_path / "values.npy"), np.load(tmp_path / "policy.npy"), read_metrics(tmp_path / "metrics.csv")


def test_random_policy_values_of_the_4x4_grid_figure_4_1(tmp_path):
    v, _, m = run_headless(tmp_path, "world=4x4", "algo=policy-evaluation", "theta=1e-6")
    expected = [[0, -14, -20, -22], [-14, -18, -20, -20], [-20, -20, -18, -14], [-22, -20, -14, 0]]
    np.testing.assert_allclose(v, expected, atol=1e-3)
    assert m["residual"][-1] < 1e-6 < m["residual"][-2]  # stops at the first sweep under theta


def test_first_sweeps_match_figure_4_1():
    """Synchronous sweeps: k=1 gives -1 everywhere, k=2 gives -1.75 and -2 (shown as -1.7, -2.0)."""
    cfg = Config(sweeps_per_s=1000.0)
    gen = train(cfg, RunContext(cfg, "cpu", None, None, threading.Event()))
    first, second = next(gen).arrays["values"], next(gen).arrays["values"]
    gen.close()
    assert first[0, 1] == first[1, 1] == -1.0 and first[0, 0] == 0.0
    assert second[0, 1] == -1.75 and second[0, 2] == -2.0 and second[1, 1] == -2.0


def test_value_iteration_solves_russell_norvig_world(tmp_path):
    v, policy, _ = run_headless(tmp_path, "world=editable", "algo=value-iteration", "theta=1e-6")
    np.testing.assert_allclose(v[0, :3], [0.812, 0.868, 0.918], atol=1e-3)
    np.testing.assert_allclose(v[2], [0.705, 0.655, 0.611, 0.388], atol=1e-3)
    up, right, left, none = 0, 1, 3, -1
    np.testing.assert_array_equal(policy, [[right, right, right, none], [up, none, up, none], [up, left, left, left]])


@pytest.mark.parametrize("algo", ["value-iteration", "policy-iteration"])
def test_robot_grid_optimal_policy_reaches_target_in_5_actions(tmp_path, algo):
    v, policy, _ = run_headless(tmp_path, "world=robot", f"algo={algo}", "theta=1e-6")
    assert v[2, 0] == pytest.approx(-5.0)  # heading up block (top-left), bottom-left cell: the start
    assert policy[2, 0] == 2  # forward
    assert policy[0, 2] == -1  # the target cell is terminal


def test_clicks_paint_cells_and_restart_the_solution(tmp_path):
    cfg = Config(world="editable", algo="value-iteration", sweeps_per_s=1000.0, hold=True)
    ctx = RunContext(cfg, "cpu", tmp_path, None, threading.Event())
    gen = train(cfg, ctx)
    for _ in range(30):  # value iteration converges in 22 sweeps, then waits for edits
        snap = next(gen)
    assert snap.step == 22 and not snap.arrays

    def paint(col: int, row: int, cell: str) -> Snapshot:
        ctx.deliver(Event("paint", {"col": col, "row": row, "cell": cell}))
        return next(gen)

    snap = paint(1, 0, "wall")
    assert snap.step == 23
    assert snap.arrays["values"][0, 1] == 0.0 and snap.arrays["values"][0, 0] == -0.04  # a wall; sweep 1 again
    paint(0, 1, "goal")
    paint(0, 1, "wall")  # same cell, new paint
    paint(0, 1, "wall")  # same cell again
    # walling in the start would leave no reachable terminal: that click is ignored
    paint(1, 2, "wall")
    gen.close()
    assert ctx.config is cfg  # painting is an action: it changes no setting
    assert (tmp_path / "grid.txt").read_text().strip() == ".#.G/##.X/S..."


def test_live_gamma_sweeps_on_to_its_values():
    """Against a same-seed run without the change: the same first two sweeps, then sweeps that
    converge to the values of γ = 0.5 instead of γ = 1's."""
    cfg = build_config(find("gridworld-dp"), [*FAST, "algo=value-iteration", "max_sweeps=200"])
    changed, kept = collect(train, cfg, changes={"gamma": 0.5}), collect(train, cfg)
    assert [s.scalars for s in changed[:2]] == [s.scalars for s in kept[:2]]
    v, v_kept = (next(s.arrays["values"] for s in reversed(snaps) if "values" in s.arrays) for snaps in (changed, kept))
    assert v[0, 1] == pytest.approx(-1.0, abs=1e-3)  # with gamma 0.5 a cell next to a terminal is worth -1 ...
    assert v[0, 3] == pytest.approx(-1.75, abs=1e-3)  # ... and three steps away -1 - 0.5 - 0.25
    assert v_kept[0, 3] == pytest.approx(-3.0, abs=1e-3)  # with gamma 1: three steps cost 3


@pytest.mark.parametrize(
    "sets, message",
    [
        (["world=editable", "grid=S#G"], "no terminal (T, G or X) reachable from the start"),
        (["theta=0"], "theta=0.0 is outside"),
        (["algo=lava"], "algo='lava' is not one of"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(tmp_path, capsys, sets, message):
    assert message in rejected("gridworld-dp", sets, tmp_path / "out", capsys)
