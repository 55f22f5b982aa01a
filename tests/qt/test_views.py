"""Views draw what the sinks hold: curves with marks, fixed image levels, heatmap arrows."""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

from workbench.core.manifest import ViewSpec
from workbench.core.sinks import HistorySink, LatestSink
from workbench.core.snapshot import Snapshot
from workbench.qt.views import VIEW_KINDS
from workbench.qt.views.curve import extend_running_mean, running_mean
from workbench.qt.views.heatmap import arrow_segments, rounded_levels
from workbench.qt.views.titles import WrappedTitle


def make(qtbot, kind, keys, **options):
    history, latest = HistorySink(), LatestSink()
    clicks = {}
    view = VIEW_KINDS[kind](
        ViewSpec(kind, tuple(keys), "t", options),
        history,
        latest,
        lambda action, x, y: clicks.update(action=action, x=x, y=y),
    )
    qtbot.addWidget(view)
    return view, history, latest, clicks


def test_curve_shows_history_mean_and_live_change_marks(qtbot):
    view, history, _, _ = make(qtbot, "curve", ["loss"], mean=2)
    for i in range(5):
        history.write(Snapshot(i, scalars={"loss": float(i)}))
    history.mark(2, {"lr": 0.01}, {"lr": 0.1})
    view.refresh()
    np.testing.assert_array_equal(view.curves["loss"].getData()[1], [0, 1, 2, 3, 4])
    np.testing.assert_allclose(view.means["loss"].getData()[1], [0, 0.5, 1.5, 2.5, 3.5])
    assert len(view.marks.lines) == 1 and view.marks.lines[0].value() == 2
    assert view.marks.lines[0].label.format == "lr 0.1→0.01"


def test_nearby_marks_share_one_line_whose_tooltip_lists_them(qtbot):
    view, history, _, _ = make(qtbot, "curve", ["epsilon"])
    for i in range(1000):
        history.write(Snapshot(i, scalars={"epsilon": 0.1}))
    for step, (old, new) in zip((100, 110, 120, 700), ((0.1, 0.2), (0.2, 0.3), (0.3, 0.5), (0.5, 0.1))):
        history.mark(step, {"epsilon": new}, {"epsilon": old})
    view.refresh()
    assert [line.value() for line in view.marks.lines] == [100, 700]
    first = view.marks.lines[0]
    assert first.label.format == "ε 0.1→0.2 (+2)"
    assert first.toolTip().splitlines() == ["step 100: ε 0.1→0.2", "step 110: ε 0.2→0.3", "step 120: ε 0.3→0.5"]


def test_curve_prefix_overlays_comparisons(qtbot):
    view, history, _, _ = make(qtbot, "curve", ["avg_reward"], prefix=True)
    history.write(Snapshot(1, scalars={"avg_reward/eps=0.1": 1.0, "avg_reward/eps=0": 0.5, "other": 3.0}))
    view.refresh()
    assert set(view.curves) == {"avg_reward/eps=0.1", "avg_reward/eps=0"}


def _log_axis_labels(qtbot, height: int) -> list[str]:
    """The labels a log-y curve's axis draws for a residual falling from 1 to 0.015."""
    view, history, _, _ = make(qtbot, "curve", ["residual"], logy=True)
    for i in range(80):
        history.write(Snapshot(i, scalars={"residual": 0.95**i}))
    view.resize(440, height)
    view.show()
    qtbot.waitExposed(view)
    view.refresh()
    image = view.grab()
    painter = QtGui.QPainter(image)
    try:
        return [text for *_, text in view.plot.getAxis("left").generateDrawSpecs(painter)[2]]
    finally:
        painter.end()


def test_a_short_log_axis_labels_decades_and_twos_and_fives_only(qtbot):
    assert sorted(_log_axis_labels(qtbot, 420), key=float) == ["0.02", "0.05", "0.1", "0.2", "0.5", "1"]
    tall = _log_axis_labels(qtbot, 1000)
    assert {"0.03", "0.3", "0.9"} <= set(tall) and len(tall) == 18


def test_running_mean_matches_a_loop():
    v = np.random.default_rng(0).normal(size=50)
    expected = [v[max(0, i - 9) : i + 1].mean() for i in range(50)]
    np.testing.assert_allclose(running_mean(v, 10), expected)
    for done in (0, 3, 9, 10, 31, 50):  # extended a piece at a time, as a curve grows
        np.testing.assert_allclose(extend_running_mean(running_mean(v[:done], 10), v, 10), expected)


def test_image_levels_stay_fixed(qtbot):
    view, _, latest, _ = make(qtbot, "image", ["img"], levels=[0, 1])
    latest.write(Snapshot(1, arrays={"img": np.full((4, 5), 0.2, np.float32)}))
    view.refresh()
    latest.write(Snapshot(2, arrays={"img": np.full((4, 5), 0.9, np.float32)}))
    view.refresh()
    assert tuple(view.image.getLevels()) == (0, 1)
    assert view.image.image.shape == (4, 5)


def test_heatmap_numbers_and_arrows(qtbot):
    view, _, latest, clicks = make(qtbot, "heatmap", ["v"], arrows="a", numbers=True, click="paint")
    vectors = np.zeros((2, 3, 2), np.float32)
    vectors[0, 0] = (1, 0)
    latest.write(Snapshot(1, arrays={"v": np.arange(6.0).reshape(2, 3), "a": vectors}))
    view.refresh()
    assert view.numbers.texts == ["0", "1", "2", "3", "4", "5"]
    x, _ = view.arrows.getData()
    assert len(x) == 6  # one arrow: shaft plus two barbs, as point pairs
    latest.write(Snapshot(2, arrays={"v": np.ones((30, 30))}))  # too many cells to number
    view.refresh()
    assert view.numbers.texts == []


def test_a_long_title_wraps_instead_of_pushing_the_plot_past_the_view(qtbot):
    title = "V and greedy policy (editable world: click a cell to paint it; tick hold to keep editing)"
    for kind in ("curve", "heatmap", "image"):
        view = VIEW_KINDS[kind](ViewSpec(kind, ("v",), title), HistorySink(), LatestSink())
        qtbot.addWidget(view)
        view.resize(420, 300)
        view.show()
        qtbot.waitExposed(view)
        assert view.ci.geometry().width() <= 420, kind
        label = next(item for item in view.scene().items() if isinstance(item, WrappedTitle))
        assert label.item.toPlainText() == title and label.itemRect().height() > 30


def test_heatmap_levels_round_outward_so_the_colour_bar_rarely_changes(qtbot):
    assert rounded_levels(0.13, 9.87) == (0.0, 10.0)
    assert rounded_levels(-113.0, 0.0) == (-120.0, 0.0)
    view, _, latest, _ = make(qtbot, "heatmap", ["v"])
    for step, top in enumerate((9.6, 9.8, 9.9)):
        latest.write(Snapshot(step, arrays={"v": np.array([[0.2, top]])}))
        view.refresh()
        assert tuple(view.colorbar.levels()) == (0.0, 10.0)
        assert tuple(view.image.getLevels()) == (0.0, 10.0)  # the map's colours match the bar


def test_arrow_segments_point_the_right_way():
    x, y = arrow_segments(np.array([[[0.0, 1.0]]]), scale=0.3)
    assert y[1] > y[0] and abs(x[1] - x[0]) < 1e-9  # (0, 1) points down the screen


def test_bars_and_scatter_draw_their_arrays(qtbot):
    bars, _, latest, _ = make(qtbot, "bars", ["q", "true"])
    latest.write(Snapshot(1, arrays={"q": np.array([1.0, 2.0]), "true": np.array([1.5, 1.0])}))
    bars.refresh()
    np.testing.assert_array_equal(bars.bars.opts["height"], [1.0, 2.0])
    np.testing.assert_array_equal(bars.markers.getData()[1], [1.5, 1.0])
    scatter, _, latest2, _ = make(qtbot, "scatter", ["z", "y"])
    latest2.write(Snapshot(1, arrays={"z": np.zeros((10, 2)), "y": np.arange(10)}))
    scatter.refresh()
    assert len(scatter.points.data) == 10


def test_many_qt_calls_returning_none_do_not_crash(qtbot):
    """PySide6 6.12.0 dropped a reference to None per such call and aborted after ~20,000."""
    image = QtGui.QImage(8, 8, QtGui.QImage.Format.Format_RGB32)
    painter = QtGui.QPainter(image)
    for i in range(50_000):
        painter.setPen(QtGui.QColor(i % 255, 0, 0))
        painter.drawLine(0, 0, 7, i % 8)
    painter.end()
    assert image.pixelColor(4, 4).red() == 49_999 % 255  # the last line drawn, to (7, 7), crosses (4, 4)


def test_histogram_marks_and_names_the_mean(qtbot):
    view, _, latest, _ = make(qtbot, "histogram", ["x"], mean=True, bins=4)
    latest.write(Snapshot(1, arrays={"x": np.array([1.0, 2.0, 3.0, 6.0])}))
    view.refresh()
    assert view.mean_line.value() == 3.0
    assert "mean 3, n=4" in view.plot.titleLabel.text
    assert view.curve.getData()[1].sum() == 4


def test_path_fields_offer_file_and_folder_pickers(qtbot):
    from dataclasses import dataclass

    from workbench.core.config import Schema, param
    from workbench.qt.params import ConfigForm, PathField

    @dataclass
    class Cfg(Schema):
        data: str = param("digits", "a set name or a path", path=True)

    form = ConfigForm(Cfg, {"data": "digits"})
    qtbot.addWidget(form)
    field = form.fields["data"]
    assert isinstance(field, PathField) and field.value() == "digits"
    seen = []
    form.edited.connect(lambda name, value: seen.append((name, value)))
    field._chosen("/tmp/mnist")
    assert form.values()["data"] == "/tmp/mnist" and seen == [("data", "/tmp/mnist")]


def test_numbers_in_the_form_read_without_trailing_zeros_and_keep_their_precision(qtbot):
    from dataclasses import dataclass

    from workbench.core.config import Schema, param
    from workbench.qt.params import ConfigForm

    @dataclass
    class Cfg(Schema):
        lr: float = param(2e-3, "learning rate", lo=1e-6, hi=1e-1, log=True)
        gamma: float = param(0.99, "discount", lo=0.0, hi=1.0)

    form = ConfigForm(Cfg, {"lr": 2e-3, "gamma": 1.0})
    qtbot.addWidget(form)
    assert [form.fields[k].spin.text() for k in ("lr", "gamma")] == ["0.002", "1"]
    form.fields["lr"].spin.setValue(1.5e-5)
    assert form.fields["lr"].spin.text() == "0.000015" and form.values()["lr"] == 1.5e-5


def test_comparison_variants_replace_the_plain_key(qtbot):
    view, history, _, _ = make(qtbot, "curve", ["episode_return"], prefix=True)
    history.write(Snapshot(1, scalars={"episode_return": 1.0, "episode_return/sarsa": 1.0, "episode_return/q": 2.0}))
    view.refresh()
    assert set(view.curves) == {"episode_return/sarsa", "episode_return/q"}


def test_optional_views_appear_when_their_data_does(qtbot):
    import dataclasses

    from faulty import MANIFEST

    from workbench.core.manifest import ViewSpec
    from workbench.qt.panel import PluginPanel

    m = dataclasses.replace(
        MANIFEST,
        views=(ViewSpec("curve", ("loss",), "loss"), ViewSpec("curve", ("never",), "never", {"optional": True})),
    )
    panel = PluginPanel(m, {"steps": 3}, device="cpu")
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.run_ended, timeout=20_000):
        panel.start()
    panel.refresh()
    assert panel.views[0].isVisible() and not panel.views[1].isVisible()


def test_choosing_another_algorithm_brings_its_defaults_but_keeps_a_value_a_person_set(qtbot):
    from dataclasses import dataclass

    from workbench.core.config import Schema, by_choice, param
    from workbench.qt.params import ConfigForm

    @dataclass
    class Cfg(Schema):
        algo: str = param("ppo", "rule", choices=("a2c", "ppo"))
        gamma: float = param(by_choice("algo", 0.99, {"ppo": 0.98}), "discount", lo=0.0, hi=1.0)
        lam: float = param(by_choice("algo", 0.95, {"ppo": 0.8}), "GAE lambda", lo=0.0, hi=1.0)

    form = ConfigForm(Cfg, {})
    qtbot.addWidget(form)
    assert (form.values()["gamma"], form.values()["lam"]) == (0.98, 0.8)
    seen = []
    form.edited.connect(lambda name, value: seen.append((name, value)))
    form.fields["lam"].spin.setValue(0.9)  # a person's value
    form.fields["algo"].setCurrentIndex(0)  # a2c
    assert (form.values()["gamma"], form.values()["lam"]) == (0.99, 0.9)
    assert seen == [("lam", 0.9), ("algo", "a2c"), ("gamma", 0.99)]
    form.fields["algo"].setCurrentIndex(1)  # back to ppo: gamma was a2c's default, so it follows again
    assert (form.values()["gamma"], form.values()["lam"]) == (0.98, 0.9)
    assert ConfigForm(Cfg, {"algo": "a2c"}).values()["gamma"] == 0.99  # a form opened on a2c


def test_a_panel_opened_or_set_on_another_algorithm_takes_its_defaults(qtbot):
    from workbench.core.manifest import find
    from workbench.qt.panel import PluginPanel

    panel = PluginPanel(find("policy-gradient"), {"algo": "a2c"}, device="cpu")
    qtbot.addWidget(panel)
    assert (panel.values()["gamma"], panel.values()["lam"]) == (0.99, 0.95)
    panel.form.set_values({"algo": "ppo", "lam": 0.9})  # as a recipe or a loaded checkpoint sets it
    assert (panel.values()["gamma"], panel.values()["lam"]) == (0.98, 0.9)
