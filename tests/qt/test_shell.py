"""The main window: browser, broken plugins, faults shown in the panel, settings kept, clean close."""

from __future__ import annotations

import dataclasses

import numpy as np
from faulty import MANIFEST, Config
from PIL import Image
from PySide6 import QtGui, QtWidgets

from workbench.core.manifest import Manifest, ViewSpec
from workbench.qt import settings, theme
from workbench.qt.panel import PluginPanel
from workbench.qt.shell import MainWindow, PluginBrowser
from workbench.qt.views.curve import running_mean


def test_browser_groups_by_category_and_marks_broken_plugins(qtbot):
    broken = Manifest("ghost", "ghost", "Broken", "", "ghost", error="ModuleNotFoundError: No module named 'ghost'")
    browser = PluginBrowser([MANIFEST, broken])
    qtbot.addWidget(browser)
    groups = {browser.topLevelItem(i).text(0): browser.topLevelItem(i) for i in range(browser.topLevelItemCount())}
    assert set(groups) == {"Test", "Broken"}
    assert "BROKEN: ModuleNotFoundError" in groups["Broken"].child(0).text(1)
    assert groups["Test"].child(0).text(1) == "misbehaves on purpose"


def test_a_failing_trainer_shows_its_traceback_and_the_panel_keeps_working(qtbot):
    panel = PluginPanel(MANIFEST, {"mode": "raise", "steps": 5}, device="cpu")
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.run_ended, timeout=10_000) as ended:
        panel.start()
    assert ended.args == ["failed"]
    panel.refresh()
    assert "the trainer broke on purpose" in panel.error_box.toPlainText()
    assert panel.error_box.isVisible() and "failed" in panel.status.text()
    assert (panel.run.out_dir / "metrics.csv").exists()
    panel.form.set_values({"mode": "ok"})
    with qtbot.waitSignal(panel.run_ended, timeout=10_000) as ended:
        assert panel.start()
    assert ended.args == ["finished"]


def test_nan_pauses_and_says_so(qtbot):
    panel = PluginPanel(MANIFEST, {"mode": "nan", "steps": 5}, device="cpu")
    qtbot.addWidget(panel)
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().state == "paused", timeout=10_000)
    panel.refresh()
    assert "loss is nan at step 5: paused" in panel.status.text()
    panel.shutdown()


def test_invalid_form_values_do_not_start(qtbot):
    @dataclasses.dataclass
    class Strict(Config):
        def check(self):
            if self.steps == 7:
                raise ValueError("steps=7 is unlucky")

    panel = PluginPanel(MANIFEST, {"steps": 7}, device="cpu")
    panel.config_cls = Strict
    qtbot.addWidget(panel)
    assert not panel.start()
    assert "steps=7 is unlucky" in panel.status.text()


def test_record_button_writes_a_gif_of_a_view(qtbot):
    panel = PluginPanel(MANIFEST, {"mode": "slow"}, device="cpu")
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    panel.start()
    panel.record_fps.setValue(20)
    panel.record_size.setCurrentText("480x320")
    panel.record_button.setChecked(True)
    writer = panel.recorder.writer
    qtbot.waitUntil(lambda: writer.written >= 2, timeout=10_000)  # two frames are on disk
    panel.record_button.setChecked(False)
    panel.shutdown()
    with Image.open(writer.path) as gif:
        assert gif.n_frames == writer.written == writer.frames and gif.size == (480, 320)
        frame = np.asarray(gif.convert("RGB"))
    assert frame.std() > 0  # real pixels, not a blank image
    status = panel.record_status.text()
    assert f"saved {writer.written} frames to {writer.path}" in status and "open folder" in status


def test_recorded_frames_carry_a_caption_with_the_plugin_the_step_and_the_live_values(qtbot):
    panel = PluginPanel(MANIFEST, {"mode": "slow", "rate": 2.5}, device="cpu")
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 3, timeout=10_000)
    caption = panel.caption()
    assert caption.startswith("Faulty · step ") and "rate=2.5" in caption
    view = panel.views[0]
    panel.record_button.setChecked(True)
    frame = panel.recorder.frame()
    panel.record_button.setChecked(False)
    panel.shutdown()
    assert frame.shape[1] == view.width() and frame.shape[0] > view.height()  # a band under the view
    band = frame[view.height() :]
    assert band.std() > 0  # the caption's text is drawn in it


def test_closing_the_window_during_training_stops_the_run_and_saves_settings(qtbot):
    window = MainWindow(device="cpu")
    window.manifests["faulty"] = MANIFEST
    qtbot.addWidget(window)
    panel = window.open_plugin("faulty", {"mode": "slow", "rate": 2.5})
    window.show()
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 2, timeout=10_000)
    window.close()
    assert not panel.running and panel.run.status().state == "stopped"
    saved = settings.load()
    assert saved["configs"]["faulty"]["rate"] == 2.5 and saved["open"] == ["faulty"]
    again = MainWindow(device="cpu")
    again.manifests["faulty"] = MANIFEST
    qtbot.addWidget(again)
    assert again.open_plugin("faulty").values()["rate"] == 2.5


def test_loading_a_checkpoint_resumes_the_curves(qtbot, tmp_path):
    panel = PluginPanel(MANIFEST, {"steps": 10}, device="cpu")
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.run_ended, timeout=10_000):
        panel.start()
    folder = panel.run.out_dir
    other = PluginPanel(MANIFEST, {}, device="cpu")
    qtbot.addWidget(other)
    assert other.load_checkpoint(folder)
    assert other.history.count("loss") == 10
    other.form.set_values({"steps": 20})
    with qtbot.waitSignal(other.run_ended, timeout=10_000):
        other.start()
    steps, _ = other.history.read("loss")
    assert list(steps) == list(range(1, 21))
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"junk")
    assert not other.load_checkpoint(bad)
    assert "not a readable Workbench checkpoint" in other.status.text()


def test_loading_a_checkpoint_redraws_running_means_from_the_loaded_curve(qtbot):
    averaged = dataclasses.replace(MANIFEST, views=(ViewSpec("curve", ("rate",), "rate", {"mean": 3}),))
    short = PluginPanel(averaged, {"steps": 10, "rate": 5.0}, device="cpu")
    qtbot.addWidget(short)
    with qtbot.waitSignal(short.run_ended, timeout=10_000):
        short.start()
    panel = PluginPanel(averaged, {"steps": 20, "rate": 1.0}, device="cpu")
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.run_ended, timeout=10_000):
        panel.start()
    assert panel.load_checkpoint(short.run.out_dir)
    panel.refresh()
    _, values = panel.history.read("rate")
    mean = panel.views[0].means["rate"].getData()[1]
    assert len(values) == 10
    np.testing.assert_allclose(mean, running_mean(values, 3))  # 5s, not the 1s of the run drawn before


def test_plugin_names_are_shown_whole_in_the_browser(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    browser = window.browser
    metrics = browser.fontMetrics()
    longest = max((m.title for m in window.manifests.values()), key=metrics.horizontalAdvance)
    room = browser.header().sectionSize(0) - browser.indentation() * 2 - browser.iconSize().width()
    assert room >= metrics.horizontalAdvance(longest), longest


def test_a_closed_dock_comes_back_from_the_view_menu_and_after_a_relaunch(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.show()
    docks = {d.objectName(): d for d in window.findChildren(QtWidgets.QDockWidget)}
    assert "plugins" in docks
    docks["plugins"].close()
    window.close()
    again = MainWindow(device="cpu")
    qtbot.addWidget(again)
    again.show()
    plugins = next(d for d in again.findChildren(QtWidgets.QDockWidget) if d.objectName() == "plugins")
    assert not plugins.isVisible()  # the closed dock stays closed...
    again.view_menu.aboutToShow.emit()
    entry = next(a for a in again.view_menu.actions() if a.text() == "Plugins")
    entry.trigger()  # ...until the View menu brings it back
    assert plugins.isVisible()
    assert {d.objectName() for d in again.findChildren(QtWidgets.QDockWidget)} == set(docks)


def test_the_welcome_page_opens_at_the_first_launch_only_and_from_help(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    assert window.tabs.currentWidget() is window.welcome
    assert set(window.welcome.cards) == set(window.manifests)
    window.welcome.cards["td-control"].open_button.click()
    assert window.tabs.currentWidget().manifest.id == "td-control"
    window.close()
    again = MainWindow(device="cpu")
    qtbot.addWidget(again)
    assert again.welcome is None
    help_menu = next(a.menu() for a in again.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "&Welcome page").trigger()
    assert again.tabs.currentWidget() is again.welcome


def test_help_shows_each_plugins_readme_and_the_run_menu_drives_the_current_panel(qtbot):
    window = MainWindow(device="cpu")
    window.manifests["faulty"] = MANIFEST
    qtbot.addWidget(window)
    dialog = window.show_readme("td-control")
    assert "SARSA" in dialog.findChild(QtWidgets.QTextBrowser).toPlainText()
    panel = window.open_plugin("faulty", {"mode": "slow"})
    run_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Run")
    actions = {a.text(): a for a in run_menu.actions()}
    actions["&Start"].trigger()
    assert panel.running
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=30_000)
    with qtbot.waitSignal(panel.run_ended, timeout=30_000) as ended:
        actions["St&op"].trigger()
    assert ended.args == ["stopped"]


def test_the_theme_chosen_in_the_view_menu_is_kept_after_a_relaunch(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.view_menu.aboutToShow.emit()
    themes = next(a.menu() for a in window.view_menu.actions() if a.text() == "&Theme")
    next(a for a in themes.actions() if a.text() == "Light").trigger()
    try:
        assert theme.current().name == "light"
        window.close()
        theme.set_theme("dark")
        again = MainWindow(device="cpu")
        qtbot.addWidget(again)
        assert theme.current().name == "light"
    finally:
        theme.set_theme("dark")


def test_the_theme_restyles_the_window_its_docks_menus_and_forms_too(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    panel = window.open_plugin("td-control")
    roles = QtGui.QPalette.ColorRole
    try:
        for name in ("light", "dark"):
            window.set_theme(name)
            look = theme.THEMES[name]
            qtbot.waitUntil(lambda look=look: window.palette().color(roles.Window).name() == look.window)
            assert window.menuBar().palette().color(roles.Window).name() == look.window
            assert panel.form.palette().color(roles.Base).name() == look.background
            assert panel.form.palette().color(roles.Text).name() == look.text
    finally:
        theme.set_theme("dark")
    assert theme.THEMES["dark"].window != theme.THEMES["light"].window
