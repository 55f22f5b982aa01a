"""Help → About names the versions a bug report needs and the device; the app carries its name,
icon and desktop entry."""

from __future__ import annotations

import importlib.metadata

from PySide6 import QtWidgets

from workbench.core.about import about_lines
from workbench.core.assets import ICON_SIZES
from workbench.qt.app import identify
from workbench.qt.shell import MainWindow

DISTRIBUTIONS = ("torch", "PySide6-Essentials", "gymnasium", "ale-py")


def test_about_lines_name_each_version_and_the_device(version):
    text = "\n".join(about_lines())
    assert f"Workbench {version}" in text
    for dist in DISTRIBUTIONS:
        assert importlib.metadata.version(dist) in text
    assert "Device: cpu" in text or "Device: cuda (" in text


def test_help_about_opens_a_box_listing_each_version(qtbot, version):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    [help_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Help"]
    [about] = [a for a in help_menu.actions() if a.text() == "&About Workbench"]
    about.trigger()
    box = window.findChild(QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible, timeout=2000)
    assert box.text() == "\n".join(about_lines())
    assert f"Workbench {version}" in box.text()
    box.close()


def test_the_app_carries_its_name_icon_and_desktop_entry(qapp):
    identify(qapp)
    assert qapp.applicationDisplayName() == "Workbench"
    assert qapp.desktopFileName() == "workbench"
    sizes = {s.width() for s in qapp.windowIcon().availableSizes()}
    assert sizes == set(ICON_SIZES)
