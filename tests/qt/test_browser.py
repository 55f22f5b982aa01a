"""The run browser dock: listing and filtering, the detail pane, open, compare, delete and undo."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image
from PySide6 import QtCore, QtWidgets

from workbench.core.checkpoint import checkpoint_steps
from workbench.core.cli import main
from workbench.core.compare import ema
from workbench.core.sinks import read_metrics
from workbench.qt import settings
from workbench.qt.browser import COLUMNS, ForkDialog
from workbench.qt.shell import MainWindow


def td_run(out, seed: int, alpha: float, *extra: str):
    assert (
        main(
            [
                "run",
                "td-control",
                "--quiet",
                "--set",
                "episodes=15",
                "--set",
                f"seed={seed}",
                "--set",
                f"alpha={alpha}",
                *extra,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


@pytest.fixture
def root():
    """Three runs kept as the app keeps them: two seeds of one setting, one of another; and a damaged one."""
    root = settings.home() / "runs" / "td-control"
    td_run(root / "20260101-100000-000", 1, 0.2)
    td_run(root / "20260101-110000-000", 2, 0.2)
    td_run(root / "20260101-120000-000", 1, 0.9)
    frames = [Image.new("RGB", (16, 16), (i * 80, 0, 0)) for i in range(3)]
    frames[0].save(root / "20260101-120000-000" / "record.gif", save_all=True, append_images=frames[1:], duration=50)
    broken = root / "20260101-130000-000"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    return root


@pytest.fixture
def window(qtbot, root):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.show()
    return window


def rows(browser) -> list[str]:
    return [browser.table.item(r, 0).text() for r in range(browser.table.rowCount())]


def run_named(browser, end: str):
    return next(r for r in browser.runs if r.rel.endswith(end))


def test_the_dock_lists_runs_and_filters_by_setting_plugin_and_tag(window):
    browser = window.run_browser
    # named without the plugin folder, which has a column of its own; the damaged run's plugin is unknown
    assert sorted(rows(browser)) == [*(f"20260101-{h}0000-000" for h in (10, 11, 12)), "td-control/20260101-130000-000"]
    browser.filter.setText("alpha=0.9")
    assert rows(browser) == ["20260101-120000-000"]
    browser.set_tags(run_named(browser, "100000-000"), ["baseline"])
    browser.filter.setText("baseline td-control")
    assert rows(browser) == ["20260101-100000-000"]
    browser.filter.setText("")
    browser.table.sortItems(4)  # by steps: the damaged run has none
    assert rows(browser)[0] == "td-control/20260101-130000-000"


def test_the_detail_pane_shows_settings_metrics_warnings_and_plays_the_gif(window):
    browser = window.run_browser
    browser.select([run_named(browser, "120000-000")])
    text = browser.detail.toPlainText()
    assert "alpha=0.9" in text and "episode_return" in text and "record.gif" in text
    assert browser.movie is not None and browser.movie.isValid() and browser.movie.frameCount() == 3
    assert browser.movie.state() == browser.movie.MovieState.Running
    browser.select([run_named(browser, "130000-000")])
    assert "config.json is unreadable" in browser.detail.toPlainText() and browser.movie is None


def test_open_shows_the_runs_curves_and_arrays_read_only(window, root):
    browser = window.run_browser
    info = run_named(browser, "110000-000")
    panel = browser.open_run(info)
    assert window.tabs.currentWidget() is panel
    metrics = read_metrics(root / "20260101-110000-000" / "metrics.csv")
    steps, values = panel.history.read("episode_return")
    np.testing.assert_array_equal(steps, metrics["step"])
    np.testing.assert_array_equal(values, metrics["episode_return"])
    np.testing.assert_array_equal(
        panel.latest.read("q_values")[1], np.load(root / "20260101-110000-000" / "q_values.npy")
    )
    assert panel.values()["alpha"] == 0.2 and panel.values()["seed"] == 2
    assert not panel.start_button.isEnabled() and not panel.running
    assert not panel.form.isEnabled()  # live settings too: nothing is running to take them


def test_compare_pools_seeds_into_mean_and_band_and_names_the_other_run(window, root):
    browser = window.run_browser
    view = browser.compare([run_named(browser, e) for e in ("100000-000", "110000-000", "120000-000")])
    plot = view.plots["episode_return"]
    curves = {item.name(): item.getData() for item in plot.listDataItems() if item.name()}
    assert set(curves) == {"alpha=0.2 (mean ± std of 2 seeds)", "alpha=0.9, seed 1"}
    seeds = np.array([read_metrics(root / f"20260101-1{h}0000-000" / "metrics.csv")["episode_return"] for h in (0, 1)])
    x, mean = curves["alpha=0.2 (mean ± std of 2 seeds)"]
    np.testing.assert_array_equal(x, np.arange(1, 16))
    np.testing.assert_allclose(mean, seeds.mean(axis=0))
    band = next(item for item in plot.items if type(item).__name__ == "FillBetweenItem")
    low, high = (c.getData()[1] for c in band.curves)
    np.testing.assert_allclose(low, seeds.mean(axis=0) - seeds.std(axis=0))
    np.testing.assert_allclose(high, seeds.mean(axis=0) + seeds.std(axis=0))

    view.pooled.setChecked(False)  # each run on its own, named by what differs
    view.smoothing.setValue(60)
    curves = {item.name(): item.getData() for item in plot.listDataItems() if item.name()}
    assert set(curves) == {"alpha=0.2, seed 1", "alpha=0.2, seed 2", "alpha=0.9, seed 1"}
    assert len(plot.listDataItems()) == 6  # each smoothed curve over its raw values, faint
    np.testing.assert_allclose(curves["alpha=0.2, seed 2"][1], ema(seeds[1], 0.6))

    view.x_axis.setCurrentText("wall-clock")
    wall = read_metrics(root / "20260101-110000-000" / "metrics.csv")["wall_time"]
    x = {item.name(): item.getData()[0] for item in plot.listDataItems() if item.name()}["alpha=0.2, seed 2"]
    np.testing.assert_allclose(x, wall - wall[0])
    assert "wall-clock" in plot.getAxis("bottom").labelText


def test_a_refresh_updates_a_changed_row_in_place_and_adds_a_new_run_without_filling_again(window, root):
    """Refreshing beside a training run costs a row, not the whole table."""
    browser = window.run_browser
    column = {name: i for i, name in enumerate(COLUMNS)}
    row = rows(browser).index("20260101-110000-000")
    item, count = browser.table.item(row, 0), browser.table.rowCount()
    metrics = root / "20260101-110000-000" / "metrics.csv"
    last = metrics.read_text().splitlines()[-1].split(",")
    with metrics.open("a") as f:
        f.write(",".join(["16", *last[1:]]) + "\n")
    browser.refresh()
    assert browser.table.item(item.row(), 0) is item
    assert browser.table.item(item.row(), column["Steps"]).data(QtCore.Qt.ItemDataRole.DisplayRole) == 16
    shutil.copytree(root / "20260101-100000-000", root / "20260101-150000-000")
    browser.refresh()
    assert browser.table.rowCount() == count + 1 and "20260101-150000-000" in rows(browser)
    assert browser.table.item(item.row(), 0) is item


def test_delete_moves_runs_to_the_trash_and_undo_brings_them_back(window, root):
    browser = window.run_browser
    chosen = [run_named(browser, e) for e in ("100000-000", "130000-000")]
    browser.select(chosen)
    assert browser.buttons["Delete"].isEnabled() and not browser.buttons["Undo"].isEnabled()
    browser.buttons["Delete"].click()
    assert sorted(rows(browser)) == ["20260101-110000-000", "20260101-120000-000"]
    assert (settings.home() / "runs" / ".trash" / "td-control" / "20260101-100000-000" / "metrics.csv").is_file()
    assert not (root / "20260101-100000-000").exists() and "Undo" in browser.message.text()
    browser.buttons["Undo"].click()
    assert len(rows(browser)) == 4 and (root / "20260101-100000-000" / "checkpoint.pt").is_file()
    assert json.loads((root / "20260101-100000-000" / "config.json").read_text())["state"] == "finished"
    assert not browser.buttons["Undo"].isEnabled()


def test_fork_trains_a_new_run_from_the_checkpoint_that_shows_up_with_its_parent(window, qtbot, root):
    browser = window.run_browser
    parent = run_named(browser, "120000-000")
    process = browser.fork(parent, ["episodes=20", "epsilon=0.3"])
    qtbot.waitUntil(lambda: browser.message.text().startswith(("fork:", "fork failed")), timeout=60_000)
    assert process.exitCode() == 0, browser.message.text()
    forked = next(r for r in browser.runs if r.rel.endswith("-fork"))
    assert forked.parent == {"run": parent.path, "step": 15}
    assert forked.config["epsilon"] == 0.3 and forked.config["alpha"] == 0.9 and forked.steps == 20
    assert forked.name in rows(browser) and browser.message.text().startswith("fork: finished at step 20")


def test_fork_at_a_step_picked_from_the_runs_checkpoints(window, qtbot, root):
    """Fork… offers the run's checkpoint steps; the fork starts at the one picked and records it."""
    td_run(root / "20260101-140000-000", 1, 0.5, "--checkpoint-every", "1e-9")
    browser = window.run_browser
    browser.refresh()
    browser.select([run_named(browser, "140000-000")])
    steps = checkpoint_steps(root / "20260101-140000-000")
    picked = steps[len(steps) // 2]

    def fill_in() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dialog, ForkDialog)
        shown = [dialog.step.itemData(i) for i in range(dialog.step.count())]
        assert shown == [None, *reversed(steps)]  # the latest first, then the history newest first
        dialog.step.setCurrentIndex(shown.index(picked))
        dialog.settings.setText("epsilon=0.3")
        dialog.accept()

    QtCore.QTimer.singleShot(0, fill_in)
    browser.buttons["Fork…"].click()
    qtbot.waitUntil(lambda: browser.message.text().startswith(("fork:", "fork failed")), timeout=60_000)
    assert browser.forks[-1].exitCode() == 0, browser.message.text()
    forked = next(r for r in browser.runs if r.rel.endswith("-fork"))
    assert forked.parent == {"run": str(root / "20260101-140000-000"), "step": picked}
    assert forked.config["epsilon"] == 0.3 and forked.rows == 15 - picked


def test_resume_loads_the_checkpoint_into_the_plugins_panel_and_a_note_shows_in_the_details(window, root):
    browser = window.run_browser
    info = run_named(browser, "110000-000")
    panel = browser.resume(info)
    assert panel.resume_from == root / "20260101-110000-000" / "checkpoint.pt"
    assert panel.values()["seed"] == 2 and panel.start_button.isEnabled()  # Start continues it
    assert len(panel.history.read("episode_return")[0]) == 15
    browser.set_note(info, "seed 2 learns <slowly>")
    browser.select([run_named(browser, "110000-000")])
    assert "seed 2 learns <slowly>" in browser.detail.toPlainText()
