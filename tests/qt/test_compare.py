"""The compare view draws a fork as a branch: its curve leaves its parent's at the step it
forked at, on the parent's curve, by step and by wall-clock time, smoothed or not."""

from __future__ import annotations

import re

import numpy as np
import pytest

from workbench.core.checkpoint import checkpoint_steps
from workbench.core.cli import main
from workbench.core.manifest import find
from workbench.core.runs import read_run
from workbench.qt import theme
from workbench.qt.compare import CompareView

TD = ["run", "td-control", "--quiet", "--set", "alpha=0.3"]


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    """A parent run with a checkpoint history, a fork of it at an earlier step, and a fork of the fork."""
    root = tmp_path_factory.mktemp("family")
    parent, fork, grandchild = root / "parent", root / "fork", root / "grandchild"
    sets = ["--checkpoint-every", "1e-9", "--set", "episodes=15"]
    assert main([*TD, *sets, "--out", str(parent)]) == 0
    assert main([*TD, *sets, "--fork", str(parent), "--step", "7", "--set", "epsilon=0.3", "--out", str(fork)]) == 0
    assert main([*TD, "--fork", str(fork), "--set", "episodes=20", "--out", str(grandchild)]) == 0
    return parent, fork, grandchild


def view_of(qtbot, *runs) -> CompareView:
    view = CompareView([read_run(r) for r in runs])
    qtbot.addWidget(view)
    return view


def value_at(view: CompareView, i: int, x: float) -> float:
    xs, ys = view.series(i, "episode_return")
    return float(ys[np.flatnonzero(xs == x)[0]])


@pytest.mark.parametrize("smoothing", [0, 60])
def test_a_fork_branches_off_its_parents_curve_at_its_step(qtbot, family, smoothing):
    parent, fork, _ = family
    step = read_run(fork).parent["step"]
    assert step == 7 and step in checkpoint_steps(parent)
    view = view_of(qtbot, parent, fork)
    view.smoothing.setValue(smoothing)
    x, y = view.series(1, "episode_return")
    assert x[0] == step and list(x[1:]) == list(range(step + 1, 16))
    assert y[0] == pytest.approx(value_at(view, 0, step))  # the branch point lies on the parent's curve
    assert view.branch_point(1, "episode_return") == (x[0], y[0]) and view.branch_point(0, "episode_return") is None
    assert "alpha" not in view.labels[1] and view.labels[1].endswith(f"fork of epsilon=0.1 at step {step}")
    assert view.labels[1] in view.legend.text().replace("&nbsp;", " ")  # the legend keeps an entry on one line
    markers = [item for item in view.plots["episode_return"].listDataItems() if item.opts.get("symbol") == "o"]
    assert [tuple(m.getData()[i][0] for i in (0, 1)) for m in markers] == [(x[0], y[0])]


def test_on_the_wall_clock_a_fork_goes_on_from_its_parents_time_at_the_step(qtbot, family):
    parent, fork, _ = family
    view = view_of(qtbot, parent, fork)
    view.x_axis.setCurrentText("wall-clock")
    parent_x = view.series(0, "episode_return")[0]
    x, y = view.series(1, "episode_return")
    assert x[0] == parent_x[6]  # the parent's time at step 7
    assert y[0] == value_at(view, 0, x[0]) and np.all(np.diff(x) >= 0)


def test_a_fork_of_a_fork_alone_still_starts_on_its_ancestors_curve(qtbot, family):
    """Neither ancestor is compared: their folders are read to place the branch point."""
    parent, fork, grandchild = family
    alone = view_of(qtbot, grandchild)
    together = view_of(qtbot, parent, fork)
    x, y = alone.series(0, "episode_return")
    assert x[0] == 15 and y[0] == value_at(together, 1, 15)
    assert alone.labels[0].endswith("fork of fork at step 15")


def test_a_long_curve_is_drawn_clipped_to_the_view_at_about_two_points_a_pixel(qtbot, tmp_path):
    run = tmp_path / "long"
    run.mkdir()
    steps = np.arange(1, 200_001)
    table = np.column_stack([steps, 1.7e9 + 0.01 * steps, np.sin(steps / 500.0)])
    np.savetxt(run / "metrics.csv", table, fmt=["%d", "%.2f", "%.6f"], delimiter=",", header="step,wall_time,loss")
    (run / "metrics.csv").write_text((run / "metrics.csv").read_text().removeprefix("# "))
    view = CompareView([read_run(run)])
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    plot = view.plots["loss"]
    plot.setXRange(50_000, 150_000, padding=0)
    [curve] = [item for item in plot.listDataItems() if item.name()]
    x, y = curve.getData()
    assert 49_000 <= x[0] and x[-1] <= 151_000
    assert len(x) <= 2.2 * plot.getViewBox().width()  # a min and a max per pixel, give or take the rounding
    assert y.max() == pytest.approx(1.0, abs=1e-3) and y.min() == pytest.approx(-1.0, abs=1e-3)  # peaks kept


def test_every_run_of_many_has_a_colour_of_its_own(qtbot, tmp_path):
    """Past the eight hues a handful of runs needs, colours still differ from run to run."""
    runs = []
    for k in range(11):
        run = tmp_path / f"run-{k}"
        run.mkdir()
        (run / "metrics.csv").write_text("step,loss\n" + "".join(f"{s},{k + s / 10}\n" for s in range(1, 6)))
        runs.append(run)
    view = view_of(qtbot, *runs)
    view.pooled.setChecked(False)  # runs with the same settings: each drawn on its own
    curves = [item for item in view.plots["loss"].listDataItems() if item.name()]
    colours = {item.opts["pen"].color().name() for item in curves}
    assert len(curves) == 11 and len(colours) == 11
    assert len(set(re.findall(r"color:(#[0-9a-f]{6})", view.legend.text()))) == 11


def test_each_plot_takes_the_title_and_axis_of_the_panel_view_that_draws_its_metric(qtbot, tmp_path):
    run = tmp_path / "dqn-run"
    run.mkdir()
    (run / "metrics.csv").write_text(
        "step,episode_return,overestimation/q_taken,loss,replay_fill\n1,10,0.5,0.2,0.1\n2,12,0.7,0.1,0.2\n"
    )
    view = CompareView([read_run(run)], find("dqn").views)
    qtbot.addWidget(view)
    names = {m: (p.titleLabel.text, p.getAxis("left").labelText) for m, p in view.plots.items()}
    assert names == {
        "episode_return": ("Episode return", "return"),
        "overestimation/q_taken": ("Overestimation: Q taken vs return — Q of the action taken", "expected return"),
        "loss": ("TD loss", "Huber loss"),
        "replay_fill": ("Replay fill", "fraction full"),
    }
    assert {p.getAxis("bottom").labelText for p in view.plots.values()} == {"env step"}
    bare = CompareView([read_run(run)])  # no plugin known: every metric, under its key in words
    qtbot.addWidget(bare)
    assert bare.plots["overestimation/q_taken"].titleLabel.text == "Overestimation/q taken"
    assert bare.plots["loss"].getAxis("bottom").labelText == "step"


def test_a_plot_counts_its_steps_as_the_panel_does(qtbot, tmp_path):
    """A tabular lab logs a row per episode: its plots say episode, as its panel does, and the
    wall-clock axis says so when chosen."""
    run = tmp_path / "td-run"
    run.mkdir()
    (run / "metrics.csv").write_text("step,wall_time,episode_return/sarsa\n1,0.0,-20\n2,0.5,-15\n")
    view = CompareView([read_run(run)], find("td-control").views)
    qtbot.addWidget(view)
    plot = view.plots["episode_return/sarsa"]
    assert plot.getAxis("bottom").labelText == "episode"
    view.x_axis.setCurrentText("wall-clock")
    assert plot.getAxis("bottom").labelText.startswith("wall-clock time")


def test_the_window_follows_a_switch_to_the_light_theme(qtbot, tmp_path):
    runs = []
    for k in range(2):
        run = tmp_path / f"run-{k}"
        run.mkdir()
        (run / "metrics.csv").write_text("step,loss\n1,1\n2,0.5\n")
        runs.append(run)
    view = view_of(qtbot, *runs)
    view.pooled.setChecked(False)
    light = theme.THEMES["light"]
    try:
        theme.set_theme("light")
        assert view.graphics.backgroundBrush().color().name() == light.background
        assert view.plots["loss"].getAxis("left").textPen().color().name() == light.foreground
        curves = [item for item in view.plots["loss"].listDataItems() if item.name()]
        assert [c.opts["pen"].color().name() for c in curves] == list(light.series[:2])
    finally:
        theme.set_theme("dark")
    assert view.graphics.backgroundBrush().color().name() == theme.THEMES["dark"].background
