"""Every view reads like a figure: labelled axes, legends off the data with human names, text of
at least 9 pt, masked non-states, a marker for a lone point, a line while it waits, one theme."""

from __future__ import annotations

import importlib

import numpy as np
import pyqtgraph as pg
import pytest

from workbench.core.manifest import ViewSpec, discover, find
from workbench.core.sinks import HistorySink, LatestSink
from workbench.core.snapshot import Snapshot
from workbench.core.view_kinds import BUILTIN_KINDS, PLOTTED_KINDS, check_view
from workbench.core.view_when import holds
from workbench.qt import theme
from workbench.qt.panel import PluginPanel
from workbench.qt.views import VIEW_KINDS
from workbench.qt.views.heatmap import CellNumbers, tick_step


def make(qtbot, kind, keys, **options):
    spec = ViewSpec(kind, tuple(keys), "t", check_view({"kind": kind, "keys": list(keys), **options}, BUILTIN_KINDS))
    history, latest = HistorySink(), LatestSink()
    view = VIEW_KINDS[kind](spec, history, latest)
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    qtbot.waitExposed(view)
    return view, history, latest


def point_sizes(view) -> list[float]:
    """The point size of every text a view draws: titles, axis ticks and labels, legends."""
    sizes = []
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem) and item.isVisible() and item.style["showValues"]:
            sizes.append(item.style["tickFont"].pointSizeF())
            if item.label.isVisible() and item.label.toPlainText():
                sizes.append(item.label.font().pointSizeF())
        elif isinstance(item, pg.LabelItem) and item.text:
            sizes.append(item.item.font().pointSizeF())
    return sizes


def fill(kind: str, history: HistorySink, latest: LatestSink) -> None:
    arrays = {
        "curve": {},
        "heatmap": {"v": np.arange(6.0).reshape(2, 3)},
        "bars": {"v": np.arange(3.0)},
        "histogram": {"v": np.arange(10.0)},
        "scatter": {"v": np.zeros((4, 2))},
    }[kind]
    for step in range(3):
        history.write(Snapshot(step, scalars={"v": float(step)}, arrays=arrays))
        latest.write(Snapshot(step, arrays=arrays))


@pytest.mark.parametrize("kind", PLOTTED_KINDS)
def test_plots_label_both_axes_in_text_of_at_least_9_pt(qtbot, kind):
    view, history, latest = make(qtbot, kind, ["v"], x_label="episode", y_label="return")
    fill(kind, history, latest)
    view.refresh()
    assert view.plot.getAxis("bottom").labelText == "episode"
    assert view.plot.getAxis("left").labelText == "return"
    sizes = point_sizes(view)
    assert sizes and min(sizes) >= theme.MIN_PT


def test_a_comparison_legend_sits_under_the_plot_with_a_background_and_human_names(qtbot):
    view, history, _ = make(qtbot, "curve", ["avg_reward"], prefix=True, labels={"eps=0.1": "greedy-ish"})
    for step in range(5):
        history.write(
            Snapshot(step, scalars={"avg_reward/eps=0": 1.0, "avg_reward/eps=0.01": 2.0, "avg_reward/eps=0.1": 3.0})
        )
    view.refresh()
    qtbot.waitUntil(lambda: view.legend.height() > 0, timeout=1000)
    names = [label.text for _, label in view.legend.items]
    assert names == ["ε = 0", "ε = 0.01", "greedy-ish"]  # every line drawn has an entry
    legend = view.legend.sceneBoundingRect()
    data = view.plot.getViewBox().sceneBoundingRect()
    assert not legend.intersects(data) and legend.top() >= data.bottom()
    assert view.legend.opts["brush"].color().alpha() > 200


def test_a_mean_curve_names_its_mean_line_and_a_single_curve_has_no_legend(qtbot):
    view, history, _ = make(qtbot, "curve", ["loss"], mean=3)
    for step in range(5):
        history.write(Snapshot(step, scalars={"loss": float(step)}))
    view.refresh()
    assert [item for item, _ in view.legend.items] and not view.legend.isVisible()


def test_a_single_point_is_drawn_as_a_marker_until_a_line_can_join_two(qtbot):
    view, history, _ = make(qtbot, "curve", ["loss"])
    history.write(Snapshot(1, scalars={"loss": 1.0}))
    view.refresh()
    assert view.curves["loss"].opts["symbol"] == "o"
    history.write(Snapshot(2, scalars={"loss": 0.5}))
    view.refresh()
    assert view.curves["loss"].opts["symbol"] is None


def test_nan_cells_are_masked_grey_not_given_a_value_colour(qtbot):
    view, _, latest = make(qtbot, "heatmap", ["v"], colorbar_label="max Q (return)")
    values = np.array([[0.0, -5.0, np.nan], [np.nan, -1.0, -2.0]], np.float32)
    latest.write(Snapshot(1, arrays={"v": values}))
    view.refresh()
    mask = view.mask.image
    grey = pg.mkColor(theme.current().mask).getRgb()
    assert [tuple(mask[r, c]) for r, c in ((0, 2), (1, 0))] == [grey, grey]
    assert mask[~np.isnan(values)][:, 3].max() == 0  # value cells show their colour
    assert tuple(view.colorbar.levels()) == (-5.0, 0.0)  # the mask takes no part in the scale
    assert view.colorbar.axis.labelText == "max Q (return)"


def test_numbers_sit_in_the_corner_only_where_they_fit_above_the_arrow(qtbot):
    numbers = CellNumbers()
    numbers.set_values(np.array([[1.5, np.nan]]))
    assert numbers.texts == ["1.5", ""]  # a masked cell has no number
    metrics = pg.QtGui.QFontMetricsF(theme.font(theme.MIN_PT))
    assert numbers.fits(pg.QtCore.QRectF(0, 0, 60, 60), metrics)
    assert not numbers.fits(pg.QtCore.QRectF(0, 0, 60, 2 * metrics.height()), metrics)


def test_an_extent_puts_a_state_slice_on_its_data_axes(qtbot):
    view, _, latest = make(
        qtbot,
        "heatmap",
        ["m"],
        extent=[-0.2, 0.2, 3.0, -3.0],
        x_label="pole angle (rad)",
        y_label="angular velocity (rad/s)",
    )
    latest.write(Snapshot(1, arrays={"m": np.zeros((20, 10), np.float32)}))
    view.refresh()
    corner = view.image.mapToView(pg.QtCore.QPointF(0, 0))
    far = view.image.mapToView(pg.QtCore.QPointF(10, 20))
    assert (corner.x(), corner.y()) == pytest.approx((-0.2, 3.0))
    assert (far.x(), far.y()) == pytest.approx((0.2, -3.0))
    assert view.plot.getAxis("bottom").autoSIPrefixScale == 1.0  # 0.2 rad reads 0.2, not 200


def test_side_by_side_maps_are_named_by_the_actions_the_trainer_picks(qtbot):
    view, _, latest = make(
        qtbot, "heatmap", ["q"], labels=["up", "right", "down", "left"], labels_key="names", columns=2
    )
    assert "names" in view.array_keys()
    latest.write(Snapshot(1, arrays={"q": np.zeros((9, 9)), "names": np.array([3, 0, 1, 7])}))
    view.refresh()
    assert [(item.toPlainText(), item.pos().x(), item.pos().y()) for item in view.panel_names] == [
        ("left", 0, 0),
        ("up", 5, 0),
        ("right", 0, 5),
        ("#7", 5, 5),
    ]


def test_bars_are_named_by_the_environments_actions_and_two_series_stand_side_by_side(qtbot):
    view, _, latest = make(
        qtbot,
        "bars",
        ["v", "a"],
        labels=["push left", "push right", "NOOP", "FIRE"],
        labels_key="actions",
        series=["value", "advantage"],
    )
    latest.write(
        Snapshot(1, arrays={"v": np.array([1.0, 2.0]), "a": np.array([0.5, 0.1]), "actions": np.array([2, 3])})
    )
    view.refresh()
    assert view.plot.getAxis("bottom")._tickLevels == [[(0, "NOOP"), (1, "FIRE")]]
    np.testing.assert_allclose(view.second.opts["height"], [0.5, 0.1])
    assert np.all(view.bars.opts["x"] < view.second.opts["x"])
    assert [label.text for _, label in view.legend.items] == ["value", "advantage"]


def test_a_curve_equal_but_for_rounding_is_drawn_flat_on_a_readable_axis(qtbot):
    """A mean of equal values (pooled seeds that all scored 100) differs from 100 by float noise:
    the axis must not zoom into it and label 100.0000000000003."""
    view, history, _ = make(qtbot, "curve", ["x"])
    for i in range(30):
        history.write(Snapshot(i + 1, scalars={"x": 100.0 + (3e-14 if i % 3 == 0 else 0.0)}))
    view.refresh()
    qtbot.waitUntil(lambda: view.plot.viewRange()[1][1] - view.plot.viewRange()[1][0] > 1)
    low, high = view.plot.viewRange()[1]
    assert low < 100 < high and high - low < 5
    axis = view.plot.getAxis("left")
    shown = [text for _, ticks in axis.tickValues(low, high, 300) for text in axis.tickStrings(ticks, 1, 1)]
    assert shown and all(len(text) <= 5 for text in shown), shown


def test_a_view_says_what_it_waits_for_until_data_arrives(qtbot):
    view, _, latest = make(qtbot, "image", ["samples"], waiting="first samples at step 250")
    assert view.notice.isVisible() and view.notice.text() == "first samples at step 250"
    centre, middle = view.notice.geometry().center(), view.rect().center()
    assert abs(centre.x() - middle.x()) <= 12 and abs(centre.y() - middle.y()) <= 12
    latest.write(Snapshot(250, arrays={"samples": np.zeros((4, 4), np.float32)}))
    view.refresh()
    assert not view.notice.isVisible()
    view.reset()
    assert view.notice.isVisible()


def test_a_waiting_line_says_the_step_the_runs_settings_give(qtbot):
    view, _, _ = make(qtbot, "image", ["samples"], waiting="first samples at step {sample_every}")
    view.configure({"sample_every": 250})
    assert view.notice.text() == "first samples at step 250"
    view.configure({"sample_every": 1000})
    assert view.notice.text() == "first samples at step 1000"
    assert view.notice.width() >= view.notice.sizeHint().width()  # placed for its longer text


def test_the_panels_waiting_lines_follow_its_form_before_a_run(qtbot):
    panel = PluginPanel(find("ddpm"))
    qtbot.addWidget(panel)
    samples = next(v for v in panel.views if v.option("waiting"))
    assert samples.notice.text() == f"first samples at training step {panel.values()['sample_every']}"
    panel.apply_values({**panel.values(), "sample_every": 40})  # a recipe's values
    assert samples.notice.text() == "first samples at training step 40"
    panel.form.fields["sample_every"].setValue(60)  # as typed into the form
    assert samples.notice.text() == "first samples at training step 60"


def test_a_view_whose_condition_fails_is_hidden(qtbot):
    view, _, _ = make(qtbot, "histogram", ["needed"], when="runs > 1")
    view.configure({"runs": 1})
    assert not view.applies and not view.has_data()  # the panel's grid leaves it out (tested with a panel)
    view.configure({"runs": 5})
    assert view.applies


def test_conditions_are_a_small_language_without_eval():
    assert holds('runs > 1 and env == "CartPole-v1"', {"runs": 2, "env": "CartPole-v1"})
    assert not holds("runs > 1 and double == true", {"runs": 2, "double": False})
    assert holds("", {})
    with pytest.raises(ValueError, match="'__import__' is not `field op literal`"):
        holds("__import__", {})
    with pytest.raises(ValueError, match="names 'seeds'"):
        holds("seeds > 1", {"runs": 2})


def test_the_light_theme_restyles_every_view_images_included(qtbot):
    views = [make(qtbot, kind, ["v"])[0] for kind in ("curve", "image", "heatmap")]
    try:
        theme.set_theme("light")
        for view in views:
            assert view.backgroundBrush().color().name() == theme.THEMES["light"].background
        assert views[0].plot.getAxis("left").textPen().color().name() == theme.THEMES["light"].foreground
    finally:
        theme.set_theme("dark")
    assert views[1].backgroundBrush().color().name() == theme.THEMES["dark"].background
    with pytest.raises(ValueError, match="'sepia'"):
        theme.set_theme("sepia")


@pytest.mark.parametrize("manifest", [m for m in discover() if not m.broken], ids=lambda m: m.id)
def test_every_plot_of_every_built_in_plugin_labels_both_axes(manifest):
    unlabelled = [
        v.title or v.keys[0]
        for v in manifest.views
        if v.kind in PLOTTED_KINDS and not (v.options["x_label"] and v.options["y_label"])
    ]
    assert not unlabelled


def test_a_grid_names_its_rows_and_columns_at_their_centres(qtbot):
    view, _, latest = make(qtbot, "heatmap", ["v"])
    latest.write(Snapshot(1, arrays={"v": np.zeros((4, 12))}))
    view.refresh()
    assert view.plot.getAxis("left")._tickLevels == [[(0.5, "0"), (1.5, "1"), (2.5, "2"), (3.5, "3")]]
    assert [text for _, text in view.plot.getAxis("bottom")._tickLevels[0]] == [str(c) for c in range(12)]


def test_a_small_grids_column_numbers_thin_out_so_they_do_not_run_together(qtbot):
    """CliffWalking's 12 columns in a 300-pixel view: "9 10 11" ran into "91011"."""
    view, _, latest = make(qtbot, "heatmap", ["v"])
    view.resize(300, 260)
    latest.write(Snapshot(1, arrays={"v": np.zeros((4, 12))}))
    view.refresh()
    qtbot.waitUntil(lambda: len(tick_texts(view)) > 1, timeout=1000)
    rects = [rect for rect, _ in tick_texts(view)]
    assert all(a.right() + 2 <= b.left() for a, b in zip(rects, rects[1:]))
    view.resize(900, 500)  # room for every column's number again
    qtbot.waitUntil(lambda: len(view.plot.getAxis("bottom")._tickLevels[0]) == 12, timeout=1000)


def test_a_strips_timesteps_are_written_on_an_axis_over_its_columns(qtbot):
    view, _, latest = make(qtbot, "image", ["strip"], columns_key="t", columns_label="timestep t")
    assert "t" in view.array_keys() and view.columns._tickLevels == [[]]
    latest.write(Snapshot(1, arrays={"strip": np.zeros((10, 40), np.float32), "t": np.array([999, 500, 100, 0])}))
    view.refresh()
    assert view.columns._tickLevels == [[(5.0, "999"), (15.0, "500"), (25.0, "100"), (35.0, "0")]]
    assert view.columns.labelText == "timestep t" and view.columns.style["tickFont"].pointSizeF() >= theme.MIN_PT


@pytest.mark.parametrize(
    "plugin, view_key, option, module, names",
    [
        ("dqn", "q_values", "labels", "workbench_plugins.dqn.draw", "ACTION_NAMES"),
        (
            "policy-gradient",
            "policy_slice",
            "axis_names",
            "workbench_plugins.policy_gradient.environments",
            "SLICE_AXES",
        ),
        (
            "policy-gradient",
            "value_slice",
            "axis_names",
            "workbench_plugins.policy_gradient.environments",
            "SLICE_AXES",
        ),
    ],
)
def test_names_a_trainer_picks_by_index_are_the_ones_its_plugin_lists(plugin, view_key, option, module, names):
    manifest = next(m for m in discover() if m.id == plugin)
    view = next(v for v in manifest.views if v.keys[0] == view_key)
    assert tuple(view.options[option]) == getattr(importlib.import_module(module), names)


def test_a_large_grid_is_numbered_in_steps_of_1_2_5_so_its_ticks_do_not_run_together():
    assert [tick_step(n, 8) for n in (4, 9, 64, 200)] == [1, 2, 10, 50]


def test_a_slice_named_by_its_trainer_keeps_its_axis_names_through_a_theme_change(qtbot):
    view, _, latest = make(
        qtbot,
        "heatmap",
        ["m"],
        extent_key="e",
        axes_key="a",
        axis_names=["pole angle (rad)", "angular velocity (rad/s)"],
    )
    latest.write(
        Snapshot(1, arrays={"m": np.zeros((4, 4)), "e": np.array([-0.2, 0.2, 2.0, -2.0]), "a": np.array([0, 1])})
    )
    view.refresh()
    try:
        theme.set_theme("light")
        assert view.plot.getAxis("bottom").labelText == "pole angle (rad)"
        assert view.plot.getAxis("left").labelText == "angular velocity (rad/s)"
    finally:
        theme.set_theme("dark")
    corner = view.image.mapToView(pg.QtCore.QPointF(0, 0))
    assert (corner.x(), corner.y()) == pytest.approx((-0.2, 2.0))


def tick_texts(view) -> list:
    """Where the bottom axis writes its tick labels and what, left to right."""
    image = view.grab()
    painter = pg.QtGui.QPainter(image)
    try:
        texts = view.plot.getAxis("bottom").generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    return sorted(((rect, text) for rect, _, text in texts), key=lambda t: t[0].left())


def test_step_labels_on_a_narrow_plot_do_not_run_together(qtbot):
    view, history, _ = make(qtbot, "curve", ["loss"], y_label="loss")
    for step in range(0, 17_000, 200):
        history.write(Snapshot(step, scalars={"loss": 1.0}))
    view.resize(210, 200)
    view.refresh()
    qtbot.waitUntil(lambda: view.plot.getAxis("bottom").width() < 200, timeout=1000)
    rects = [rect for rect, _ in tick_texts(view)]
    assert rects and all(a.right() + 4 <= b.left() for a, b in zip(rects, rects[1:]))


def test_bar_names_on_a_narrow_plot_are_staggered_so_they_do_not_run_together(qtbot):
    names = ["SGD", "Momentum", "Nesterov", "RMSProp", "Adagrad", "Adam", "AdamW"]
    view, _, latest = make(qtbot, "bars", ["steps"], labels=names, x_label="optimiser", y_label="steps")
    view.resize(280, 220)
    latest.write(Snapshot(1, arrays={"steps": np.arange(7.0)}))
    view.refresh()
    qtbot.waitUntil(lambda: view.plot.getViewBox().width() < 260, timeout=1000)
    qtbot.waitUntil(lambda: len(tick_texts(view)) == len(names), timeout=1000)  # the axis grew to hold its lines
    lines: dict[int, list] = {}
    for rect, text in tick_texts(view):
        lines.setdefault(text.count("\n"), []).append(rect)
    assert len(lines) > 1  # staggered
    assert all(a.right() + 2 <= b.left() for rects in lines.values() for a, b in zip(rects, rects[1:]))
    view.resize(1200, 300)  # room for every name on one line: no staggering
    qtbot.waitUntil(lambda: all("\n" not in text for _, text in view.plot.getAxis("bottom")._tickLevels[0]))


def test_a_long_legend_moves_beside_a_short_plot_and_back_under_a_tall_one(qtbot):
    view, history, _ = make(qtbot, "curve", ["gap"], prefix=True)
    names = ["SGD", "Momentum", "Nesterov", "RMSProp", "Adagrad", "Adam", "AdamW"]
    history.write(Snapshot(1, scalars={f"gap/{n}": 1.0 for n in names}))
    view.refresh()
    view.resize(320, 200)
    qtbot.waitUntil(lambda: view.legend.beside and view.legend.columnCount == 1, timeout=1000)
    qtbot.waitUntil(
        lambda: view.legend.sceneBoundingRect().left() >= view.plot.getViewBox().sceneBoundingRect().right(),
        timeout=1000,
    )
    view.resize(640, 480)
    qtbot.waitUntil(
        lambda: (
            not view.legend.beside
            and view.legend.sceneBoundingRect().top() >= view.plot.getViewBox().sceneBoundingRect().bottom()
        ),
        timeout=1000,
    )


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_gaps_of_a_filter_grid_are_the_themes_background_not_white(qtbot, name):
    """The CNN lens's grids leave their gaps without a value, and the view draws them in its theme."""
    torch = pytest.importorskip("torch")
    from workbench.lens import render

    theme.set_theme(name)
    try:
        view, _, latest = make(qtbot, "image", ["filters"])
        grid = render.filter_grid(torch.randn(8, 1, 5, 5))  # 3x3 tiles of 5x5, the last row part empty
        latest.write(Snapshot(1, arrays={"filters": grid}))
        view.refresh()
        shot = view.grab().toImage()
        for x, y in ((5, 2), (2, 5), (15, 13)):  # a gap column, a gap row, an empty cell after the last filter
            assert np.isnan(grid[y, x])
            at = view.mapFromScene(view.image.mapToScene(pg.QtCore.QPointF(x + 0.5, y + 0.5)))
            assert shot.pixelColor(at).name() == theme.THEMES[name].background, (x, y)
    finally:
        theme.set_theme("dark")


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_margins_of_an_rgb_picture_are_the_themes_background(qtbot, name):
    """A sample's text picture leaves its margins without a value, and the view draws them in its theme."""
    from workbench_plugins.sequence.render import MARGIN, text_image

    theme.set_theme(name)
    try:
        view, _, latest = make(qtbot, "image", ["samples"])
        picture = text_image([("My lord, ", "sure", np.array([0.1, 0.5, 0.9, 1.0]))])
        latest.write(Snapshot(1, arrays={"samples": picture}))
        view.refresh()
        shot = view.grab().toImage()
        for x, y in ((2, 2), (MARGIN + 200, MARGIN + 5)):  # the margin, the empty cells after the last character
            assert np.isnan(picture[y, x]).all()
            at = view.mapFromScene(view.image.mapToScene(pg.QtCore.QPointF(x + 0.5, y + 0.5)))
            assert shot.pixelColor(at).name() == theme.THEMES[name].background, (x, y)
    finally:
        theme.set_theme("dark")
