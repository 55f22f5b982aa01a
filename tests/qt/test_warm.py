"""The plugin in view has a trainer process waiting: Start sends it the form's config, and the
next run gets a new one."""

from __future__ import annotations

import json

from PySide6 import QtWidgets

from workbench.core.manifest import find
from workbench.core.process_run import WARM
from workbench.qt.panel import PluginPanel
from workbench.qt.warm import TrainerWarmer


def test_start_sends_the_forms_config_to_the_waiting_process_and_the_next_run_gets_one(qtbot):
    manifest = find("td-control")
    tabs = QtWidgets.QTabWidget()
    qtbot.addWidget(tabs)
    TrainerWarmer(tabs)
    panel = PluginPanel(manifest, device="cpu")
    tabs.addTab(panel, manifest.title)  # comes into view
    assert manifest in WARM
    spare = WARM.prepare(manifest)  # the one waiting
    panel.apply_values({"episodes": 4})  # edited after the process was spawned
    with qtbot.waitSignal(panel.run_ended, timeout=60_000):
        assert panel.start()
    assert panel.run.trainer is spare
    assert json.loads((panel.run.out_dir / "config.json").read_text())["config"]["episodes"] == 4
    assert panel.run.status().step == 4
    assert manifest in WARM  # ready for the next Start
    WARM.take(manifest).process.terminate()
