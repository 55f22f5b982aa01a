"""The sweep view: every trial's curve of the sweep's metric as it grows, the trials of one
setting (those differing only by seed) drawn faint under their mean and a band of one standard
deviation, a table ranking the settings by the mean over seeds of each trial's recent value (the
mean of its last values, as ASHA judges them), and
Stop / Resume (resume runs the same sweep again, which finishes only the trials not done).

It reads the sweep folder on a timer: ``sweep.json`` when it changes and, of each trial's
metrics.csv, only the rows added since the last look; so a sweep run from the app, one run from
a terminal and one long finished all show the same way.
"""

from __future__ import annotations

import html
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from workbench.core.compare import mean_band
from workbench.core.manifest import Manifest, ViewSpec, find
from workbench.core.metrics_tail import MetricsTail
from workbench.core.runs import SWEEP_FILE, default_root, lower_is_better
from workbench.core.sweep import DONE, Sweep, read_sweep, where_it_ran
from workbench.core.sweep_groups import SEED, SettingGroup, group_settings, lead_text, ranked, setting_name
from workbench.core.sweep_spec import SweepError, SweepSpec
from workbench.core.sweep_trial import RECENT, series_figures
from workbench.qt import theme
from workbench.qt.compare import plot_names
from workbench.qt.setting_colours import legend_html, setting_colours
from workbench.qt.views.titles import SteadyViewBox

REFRESH_MS = 500
BUSY_S = 30.0
"""A trial marked running whose metrics.csv changed this recently is taken to run elsewhere (a
terminal): Resume then waits, so two runners never share a folder; a killed one goes quiet."""
COLUMNS = ("rank", "setting", f"mean of last {RECENT}", "± std", "seeds", "trials")
TRIAL_ALPHA, BAND_ALPHA = 60, 55  # a seed's own curve stays faint under its setting's mean and band
ALONE_WIDTH = 1.5  # a setting's only seed: drawn in full, lighter than a mean over seeds (2.5)
TRIAL_Z, BAND_Z, MEAN_Z = 0, 1, 2  # means over every trial's curve, whichever grew first


def _count_text(states: list[str]) -> str:
    return ", ".join(f"{n} {state}" for state, n in Counter(states).most_common())


def colours_of(look: theme.Theme, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Each setting's colour, from sweep.json's trial records."""
    settings = {setting_name(r["settings"]): {k: v for k, v in r["settings"].items() if k != SEED} for r in records}
    return setting_colours(look, settings)


class SweepView(QtWidgets.QWidget):
    """The sweep in folder ``out``; ``manifest`` is the plugin its trials run (default: the one
    ``sweep.json`` names), needed only to resume it."""

    def __init__(self, out: str | Path, manifest: Manifest | None = None, parent: Any = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.out, self.manifest = Path(out), manifest
        self.doc = read_sweep(self.out)  # SweepError for a folder holding no sweep
        spec = self.doc["spec"]
        self.sweep_metric, self.mode = spec["metric"], spec["mode"]
        self.setWindowTitle(f"Sweep of {self.doc['plugin']}: {self.out.name}")
        self.sweep: Sweep | None = None
        self._thread: threading.Thread | None = None
        self._error = ""
        self._stopping = False
        self._stamp = 0
        self._tails: dict[str, MetricsTail] = {}
        self._trial_curves: dict[str, pg.PlotDataItem] = {}
        self._means: dict[str, pg.PlotDataItem] = {}
        self._bands: dict[str, tuple[pg.PlotCurveItem, pg.PlotCurveItem, pg.FillBetweenItem]] = {}
        self.groups: list[SettingGroup] = []

        self.graphics = pg.GraphicsLayoutWidget()
        # named as the plugin's panel names the metric's plot, the one the compare window shows
        title, self._y_label, self._x_label = plot_names(self._views(), self.sweep_metric)
        self.plot = self.graphics.addPlot(title=f"{title}: every trial", viewBox=SteadyViewBox())
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = QtWidgets.QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setToolTip("Every trial ends at its next step with a checkpoint; Resume finishes them")
        self.resume_button = QtWidgets.QPushButton("Resume")
        self.resume_button.setToolTip("Run the sweep again: only the trials not finished run, from their checkpoints")
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self.resume)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.resume_button)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        top = QtWidgets.QWidget()
        top_layout = QtWidgets.QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.graphics, 1)
        top_layout.addWidget(self.legend)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setSizes([420, 200])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bar)
        self.resize(900, 680)
        theme.follow(self)
        self._timer = QtCore.QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    # ---------- running ----------
    def start(self, sweep: Sweep) -> None:
        """Run ``sweep`` (this folder's) on a thread; Stop ends it."""
        self.sweep, self._error, self._stopping = sweep, "", False
        self._thread = threading.Thread(target=self._run, args=(sweep,), daemon=True, name="workbench-sweep")
        self._thread.start()
        self.refresh()

    def _run(self, sweep: Sweep) -> None:
        try:
            sweep.run()
        except Exception as exc:  # noqa: BLE001 - shown in the view; the trials' files are kept
            self._error = f"{type(exc).__name__}: {exc}"

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def running_elsewhere(self) -> bool:
        """Whether another process (``workbench sweep`` in a terminal) seems to run this sweep now."""
        if self.running():
            return False
        now = time.time()
        for record in self.doc["trials"]:
            if record["state"] in ("running", "retrying"):
                metrics = self._tails[record["id"]].path if record["id"] in self._tails else None
                if metrics is not None and metrics.is_file() and now - metrics.stat().st_mtime < BUSY_S:
                    return True
        return False

    def stop(self) -> None:
        """Every running trial ends at its next step, with its checkpoint, and no more start."""
        if self.sweep is not None and self.running():
            self.sweep.stop()
            self._stopping = True
            self.refresh()

    def resume(self) -> None:
        """Run the same sweep again, where it ran before (the local pool, or Ray and its address):
        the finished trials are kept, the others run from their checkpoints."""
        if self.running() or self.running_elsewhere():
            return
        try:
            manifest = self.manifest or find(self.doc["plugin"])
            sweep = Sweep(SweepSpec(**self.doc["spec"]), self.out, manifest=manifest, **where_it_ran(self.doc))
        except (SweepError, KeyError, ValueError) as exc:
            self._error = str(exc)
            self.refresh()
            return
        self.start(sweep)

    def _views(self) -> tuple[ViewSpec, ...]:
        """The views of the plugin the trials ran: none where it is no longer installed."""
        try:
            return (self.manifest or find(self.doc["plugin"])).views
        except ValueError:
            return ()

    def closeEvent(self, event: Any) -> None:  # Qt override
        self.stop()  # the trials keep their checkpoints: Resume (or the same command) finishes them
        self._timer.stop()
        super().closeEvent(event)

    # ---------- drawing ----------
    def apply_theme(self, look: theme.Theme) -> None:
        self.graphics.setBackground(look.background)
        y_label = self._y_label + (" (lower is better)" if lower_is_better(self.sweep_metric) else "")
        theme.style_plot(self.plot, look, self._x_label, y_label)
        self._look = look
        self._colour_all()

    def _colour(self, name: str) -> Any:
        """Setting ``name``'s colour, a copy the caller may make faint."""
        return pg.mkColor(self._colours[name])

    def _colour_all(self) -> None:
        self._colours = colours_of(self._look, self.doc["trials"])
        seeds = Counter(setting_name(r["settings"]) for r in self.doc["trials"])  # each setting's trials
        for record in self.doc["trials"]:
            if record["id"] in self._trial_curves:
                name = setting_name(record["settings"])
                colour = self._colour(name)
                if seeds[name] > 1:  # one of its setting's seeds, under their mean
                    colour.setAlpha(TRIAL_ALPHA)
                    self._trial_curves[record["id"]].setPen(pg.mkPen(colour, width=1))
                else:  # its setting's only seed: the setting's line itself
                    self._trial_curves[record["id"]].setPen(pg.mkPen(colour, width=ALONE_WIDTH))
        for name in self._colours:
            if name in self._means:
                self._means[name].setPen(pg.mkPen(self._colour(name), width=2.5))
                fill = self._colour(name)
                fill.setAlpha(BAND_ALPHA)
                self._bands[name][2].setBrush(pg.mkBrush(fill))
        self._legend(several=max(seeds.values(), default=0) > 1)

    def _legend(self, several: bool) -> None:
        """One entry per setting, in the colours' order (by value for one number); what the bold
        lines are (where ``several`` seeds make a setting) is said once, before them."""
        self.legend.setText(
            ("each setting's mean ± std over seeds, its seeds faint:&nbsp;&nbsp; " if several else "")
            + legend_html(self._colours)
        )

    def _ids_of(self, name: str) -> list[str]:
        return [r["id"] for r in self.doc["trials"] if setting_name(r["settings"]) == name]

    def _curve(self, z: int) -> pg.PlotDataItem:
        item = self.plot.plot()
        item.setZValue(z)
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        return item

    def trial_series(self, trial_id: str) -> tuple[np.ndarray, np.ndarray]:
        """The step and the metric of one trial so far, its NaNs left out."""
        tail = self._tails[trial_id]
        x, y = tail.column("step"), tail.column(self.sweep_metric)
        keep = np.isfinite(x) & np.isfinite(y)
        return x[keep], y[keep]

    def group_series(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(step, mean, std) over the seeds of setting ``name`` where they all have values."""
        return mean_band([self.trial_series(i) for i in self._ids_of(name)])

    def refresh(self) -> None:
        """Take in what changed on disk: the records, new rows of each trial, then redraw what grew."""
        stamp = (self.out / SWEEP_FILE).stat().st_mtime_ns if (self.out / SWEEP_FILE).is_file() else 0
        read = stamp != self._stamp
        if read:
            self._stamp = stamp
            try:
                self.doc = read_sweep(self.out)
            except SweepError:  # caught between two writes of another process: the next look reads it
                self._stamp = 0
        grown = set()
        for record in self.doc["trials"]:
            tail = self._tails.setdefault(record["id"], MetricsTail(self.out / record["id"]))
            if tail.read():
                grown.add(record["id"])
        order = list(dict.fromkeys(setting_name(r["settings"]) for r in self.doc["trials"]))
        for trial_id in grown:
            if trial_id not in self._trial_curves:
                self._trial_curves[trial_id] = self._curve(TRIAL_Z)
            self._trial_curves[trial_id].setData(*self.trial_series(trial_id))
        for name in order:
            ids = self._ids_of(name)
            if len(ids) > 1 and grown & set(ids):
                self._draw_group(name)
        if grown or read:
            self._colour_all()
        self._rank()
        self._status()

    def _draw_group(self, name: str) -> None:
        x, mean, std = self.group_series(name)
        if name not in self._means:
            low, high = pg.PlotCurveItem(pen=pg.mkPen(None)), pg.PlotCurveItem(pen=pg.mkPen(None))
            band = pg.FillBetweenItem(low, high)
            band.setZValue(BAND_Z)
            self.plot.addItem(band)
            self._bands[name] = (low, high, band)
            self._means[name] = self._curve(MEAN_Z)
        low, high, _ = self._bands[name]
        low.setData(x, mean - std)
        high.setData(x, mean + std)
        self._means[name].setData(x, mean)

    def _rank(self) -> None:
        """The settings ranked by the mean over seeds of each trial's recent value so far, those
        ASHA pruned after the rest (``sweep_groups.ranked``)."""
        live = [{**r, **series_figures(self.trial_series(r["id"])[1], self.mode)} for r in self.doc["trials"]]
        self.groups = ranked(group_settings(live), self.mode)
        states = {r["id"]: r["state"] for r in self.doc["trials"]}
        self.table.setRowCount(len(self.groups))
        for row, group in enumerate(self.groups):
            cells = (
                str(row + 1) if group.mean is not None else "-",
                group.name,
                "-" if group.mean is None else f"{group.mean:.4g}",
                "-" if group.std is None else f"{group.std:.3g}",
                f"{len(group.figures)} of {len(group.trials)}",
                _count_text([states[i] for i in group.trials]),
            )
            for col, text in enumerate(cells):
                item = self.table.item(row, col)
                if item is None:
                    self.table.setItem(row, col, QtWidgets.QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)
            self.table.item(row, 1).setForeground(self._colour(group.name))
        self.table.resizeColumnsToContents()

    def _status(self) -> None:
        states = [r["state"] for r in self.doc["trials"]]
        here = self.running()
        text = (
            f"{len(states)} trials ({_count_text(states)}); settings ranked by the mean of each trial's "
            f"last {RECENT} {self.sweep_metric}, {'highest' if self.mode == 'max' else 'lowest'} first"
            + (", those ASHA pruned after the rest" if any(g.pruned for g in self.groups) else "")
        )
        lead = lead_text(self.groups)
        text += f"; {html.escape(lead)}" if lead else ""
        if self._error:
            text += f" · <span style='color:#e06c75'>{html.escape(self._error)}</span>"
        elsewhere = self.running_elsewhere()
        if here and self._stopping:
            text = "stopping: each trial ends at its next step, with a checkpoint"
        elif elsewhere:
            text += " · running in another process (Ctrl+C there stops it)"
        self.message.setText(text)
        self.stop_button.setEnabled(here)
        self.resume_button.setEnabled(not here and not elsewhere and any(s not in DONE for s in states))


def open_sweep_view(out: str | Path, parent: Any = None, **options: Any) -> SweepView:
    """Show the sweep in folder ``out`` in a window of its own."""
    view = SweepView(out, parent=parent, **options)
    view.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    return view


def ask_and_open_sweep(parent: QtWidgets.QWidget) -> SweepView | None:
    """File > Open sweep…: pick a sweep folder; one that holds no sweep is said so."""
    folder = QtWidgets.QFileDialog.getExistingDirectory(parent, "Open sweep folder", str(default_root()))
    if not folder:
        return None
    try:
        return open_sweep_view(folder, parent)
    except SweepError as exc:
        QtWidgets.QMessageBox.warning(parent, "Open sweep", str(exc))
        return None


if __name__ == "__main__":  # python -m workbench.qt.sweep_view SWEEP_FOLDER
    import sys

    app = QtWidgets.QApplication(sys.argv)
    app.setPalette(theme.palette(theme.current()))
    shown = open_sweep_view(sys.argv[1])
    sys.exit(app.exec())
