"""The Sweep… dialog: tick the fields of a panel's plugin to sweep, give their values or ranges,
seeds, the metric that ranks them, a backend (the local pool, or Ray with ASHA if wished) and a
folder; Start opens the sweep view, which runs the sweep on a thread, and the dialog's table
shows each trial's state, pulled from the sweep's records a few times a second (no signal per
trial). Closing the dialog leaves the sweep to its view."""

from __future__ import annotations

import datetime as _dt
import html
import importlib.util
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from workbench.core.config import FieldSpec, non_defaults, specs
from workbench.core.manifest import Manifest
from workbench.core.runs import default_root
from workbench.core.sweep import BACKENDS, Sweep
from workbench.core.sweep_spec import SweepError, SweepSpec, parse_seeds
from workbench.qt.sweep_view import SweepView, open_sweep_view

COLUMNS = ("trial", "state", "step", "final", "best", "error")
REFRESH_MS = 250
RAY_MISSING = "needs Ray Tune: pip install 'workbench[ray]'"


def metrics_of(manifest: Manifest) -> list[str]:
    """The metrics a sweep of ``manifest`` can rank by: the keys its panel plots as curves, the
    plugin's own (``Manifest.metric``) first where its panel plots it."""
    keys = manifest.plotted_metrics
    default = manifest.metric
    return [default, *(k for k in keys if k != default)] if default in keys else keys


def expand(text: str, spec: FieldSpec) -> list[str]:
    """``a, b, c`` as they are, or ``lo..hi xN``: N values from lo to hi, evenly spaced (on a log
    scale for a log field; whole numbers for an int field)."""
    lo_hi, sep, count = text.partition("x")
    if ".." not in lo_hi or not sep:
        return [v.strip() for v in text.split(",") if v.strip()]
    lo_text, _, hi_text = lo_hi.partition("..")
    try:
        lo, hi, n = float(lo_text), float(hi_text), int(count)
    except ValueError:
        raise SweepError(f"{spec.name}: {text!r} must look like a, b, c or lo..hi xN") from None
    if n < 1 or (spec.log and min(lo, hi) <= 0):
        raise SweepError(f"{spec.name}: {text!r} needs N >= 1" + (" and lo, hi > 0 (log scale)" if spec.log else ""))
    values = np.geomspace(lo, hi, n) if spec.log else np.linspace(lo, hi, n)
    texts = [str(round(float(v))) for v in values] if spec.type is int else [f"{v:.4g}" for v in values]
    return list(dict.fromkeys(texts))


def _text(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


class SweepDialog(QtWidgets.QDialog):
    """A sweep of ``manifest`` around the config ``values`` (the panel's)."""

    def __init__(self, manifest: Manifest, values: dict[str, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Sweep {manifest.title}")
        self.manifest, self.values = manifest, values
        self.specs = [s for s in specs(manifest.config_class()) if s.type is not str or s.choices is not None]
        self.sweep: Sweep | None = None
        self.view: SweepView | None = None
        self._records: dict[str, dict[str, Any]] = {}

        self.fields = QtWidgets.QTableWidget(len(self.specs), 3)
        self.fields.setHorizontalHeaderLabels(["sweep", "field", "values (a, b, c or lo..hi xN)"])
        self._ticks: list[QtWidgets.QTableWidgetItem] = []
        self._texts: list[QtWidgets.QTableWidgetItem] = []
        for row, spec in enumerate(self.specs):
            tick = QtWidgets.QTableWidgetItem()
            tick.setFlags(QtCore.Qt.ItemFlag.ItemIsUserCheckable | QtCore.Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(QtCore.Qt.CheckState.Unchecked)
            self.fields.setItem(row, 0, tick)
            self._ticks.append(tick)
            name = QtWidgets.QTableWidgetItem(spec.name)
            name.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
            name.setToolTip(spec.help)
            self.fields.setItem(row, 1, name)
            self._texts.append(QtWidgets.QTableWidgetItem(str(values.get(spec.name, spec.default_under(values)))))
            self.fields.setItem(row, 2, self._texts[-1])
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.seeds = QtWidgets.QLineEdit("0-2" if any(s.name == "seed" for s in self.specs) else "")
        self.steps = QtWidgets.QSpinBox(minimum=0, maximum=1_000_000_000)
        self.steps.setSpecialValueText("the config's budget")
        self.workers = QtWidgets.QSpinBox(minimum=0, maximum=256)
        self.workers.setSpecialValueText("one per core")
        self.rank_by = QtWidgets.QComboBox(editable=True)
        self.rank_by.addItems(metrics_of(manifest))
        self.rank_by.setToolTip("what ranks the settings (and what ASHA stops trials by): a column of metrics.csv")
        self.backend = QtWidgets.QComboBox()
        self.backend.addItems(list(BACKENDS))
        if importlib.util.find_spec("ray") is None:
            ray_item = self.backend.model().item(BACKENDS.index("ray"))
            ray_item.setEnabled(False)
            ray_item.setToolTip(RAY_MISSING)
        self.address = QtWidgets.QLineEdit()
        self.address.setPlaceholderText("blank: a Ray instance on this machine; or a cluster's address")
        self.asha = QtWidgets.QCheckBox("stop poor trials early (ASHA, on Ray)")
        self.asha.setToolTip("judged at a ninth and a third of the steps per trial; a third of the trials go on")
        self.backend.currentTextChanged.connect(self._backend_chosen)
        self._backend_chosen(self.backend.currentText())
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = QtWidgets.QLineEdit(str(default_root() / manifest.id / f"sweep-{stamp}"))
        form = QtWidgets.QFormLayout()
        form.addRow("Seeds (0-9 or 1,3,5)", self.seeds)
        form.addRow("Steps per trial", self.steps)
        form.addRow("Metric", self.rank_by)
        form.addRow("Backend", self.backend)
        form.addRow("Ray address", self.address)
        form.addRow("", self.asha)
        form.addRow("Trials at once", self.workers)
        form.addRow("Folder", self.out)

        self.trials = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.trials.setHorizontalHeaderLabels(list(COLUMNS))
        self.trials.horizontalHeader().setStretchLastSection(True)
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.start_button = QtWidgets.QPushButton("Start")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.fields, 3)
        layout.addLayout(form)
        layout.addWidget(self.trials, 2)
        layout.addLayout(buttons)
        self._timer = QtCore.QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        self.resize(720, 640)

    def _backend_chosen(self, backend: str) -> None:
        """The address and ASHA are Ray's: offered only with it."""
        on_ray = backend == "ray"
        self.address.setEnabled(on_ray)
        self.asha.setEnabled(on_ray)
        if not on_ray:
            self.asha.setChecked(False)

    def tick(self, name: str, values: str) -> None:
        """Sweep field ``name`` over ``values`` (as typed in the table)."""
        row = next(i for i, s in enumerate(self.specs) if s.name == name)
        self._ticks[row].setCheckState(QtCore.Qt.CheckState.Checked)
        self._texts[row].setText(values)

    def spec(self) -> SweepSpec:
        """The sweep the dialog describes; SweepError says what is wrong."""
        grid, swept = {}, set()
        for row, field_spec in enumerate(self.specs):
            if self._ticks[row].checkState() == QtCore.Qt.CheckState.Checked:
                grid[field_spec.name] = expand(self._texts[row].text(), field_spec)
                swept.add(field_spec.name)
        seeds = parse_seeds(self.seeds.text()) if self.seeds.text().strip() else None
        fixed = swept | ({"seed"} if seeds is not None else set())
        # a setting at its default is left to each trial, whose own choices may give another one
        by_name = {s.name: s for s in specs(self.manifest.config_class())}
        sets = [f"{k}={v}" for k, v in non_defaults(by_name, self.values).items() if k not in fixed]
        steps = self.steps.value() or None
        scheduler = "asha" if self.asha.isChecked() else "none"
        if scheduler == "asha" and steps is None:  # its rungs are shares of a budget: the config's
            steps = self.values.get("steps") if isinstance(self.values.get("steps"), int) else None
            if steps is None:
                raise SweepError("ASHA stops trials at shares of a budget: give the steps per trial")
        metric = self.rank_by.currentText().strip()
        return SweepSpec(
            self.manifest.id, grid, seeds=seeds, sets=sets, steps=steps, metric=metric, scheduler=scheduler
        )

    def start(self) -> None:
        backend = self.backend.currentText()
        address = self.address.text().strip() if backend == "ray" else ""
        try:
            self.sweep = Sweep(
                self.spec(),
                self.out.text(),
                manifest=self.manifest,
                backend=backend,
                address=address or None,
                workers=self.workers.value() or None,
                on_change=self._changed,
            )
        except ValueError as exc:
            self.message.setText(f"<span style='color:#e06c75'>{html.escape(str(exc))}</span>")
            return
        self._records = {t.id: dict(self.sweep.records[t.id]) for t in self.sweep.trials}
        self.trials.setRowCount(len(self._records))
        self.message.setText(f"{len(self._records)} trials in {self.out.text()}")
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.sweep.save()  # the view opens on the folder's sweep.json
        self.view = open_sweep_view(self.sweep.out, self.parentWidget(), manifest=self.manifest)
        self.view.start(self.sweep)
        self._timer.start()

    def _changed(self, record: dict[str, Any]) -> None:
        self._records[record["id"]] = record  # on the sweep's thread: the timer reads it

    def _refresh(self) -> None:
        ended = self.view is not None and not self.view.running()  # before the rows: they then hold its last news
        for row, record in enumerate(list(self._records.values())):
            for col, key in enumerate(("id", "state", "step", "final", "best", "error")):
                text = _text(record.get(key))
                item = self.trials.item(row, col)
                if item is None:
                    self.trials.setItem(row, col, QtWidgets.QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)
        if ended:
            self._timer.stop()
            self.stop_button.setEnabled(False)
            self.start_button.setEnabled(True)
            counts = self.sweep.counts() if self.sweep is not None else {}
            self.message.setText(
                ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) + f" in {self.out.text()}"
            )

    def running(self) -> bool:
        """Whether a sweep started here is still going (its table not yet final)."""
        return self._timer.isActive()

    def stop(self) -> None:
        """Every trial ends at its next step with its checkpoint; Start again finishes them."""
        if self.view is not None:
            self.view.stop()
            self.message.setText("stopping: each trial ends at its next step")


def open_sweep_dialog(panel: Any) -> SweepDialog:
    """The Sweep… dialog for a ``PluginPanel``'s plugin, around the settings of its form."""
    dialog = SweepDialog(panel.manifest, panel.values(), panel)
    dialog.show()
    return dialog
