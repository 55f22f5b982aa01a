"""A plugin's panel: its config form, run controls, status, recorder and live views.

The panel owns one run at a time on a ``RunThread`` and pulls the run's sinks on a ~30 Hz
timer; nothing the trainer does calls into Qt.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.core.actions import actions_of
from workbench.core.checkpoint import CheckpointError, load_checkpoint
from workbench.core.config import from_dict, migrate, to_dict
from workbench.core.device import DEVICES
from workbench.core.manifest import Manifest
from workbench.core.process_run import ProcessRun
from workbench.core.recorder import mp4_available
from workbench.core.sinks import HistorySink, LatestSink, read_metrics
from workbench.core.snapshot import Snapshot
from workbench.core.status import State
from workbench.qt import settings
from workbench.qt.actions import ActionsBox
from workbench.qt.params import ConfigForm
from workbench.qt.recorder import WidgetRecorder
from workbench.qt.views import VIEW_KINDS
from workbench.qt.views.base import View
from workbench.qt.views.marks import short_label

REFRESH_MS = 33
REDRAWS_PER_TICK = 2  # array views (maps, frames, bars) redrawn per refresh tick at most
SIZES = {"native": None, "480x320": (480, 320), "640x480": (640, 480), "800x600": (800, 600)}


def new_run_dir(plugin_id: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]
    return settings.home() / "runs" / plugin_id / stamp


class PluginPanel(QtWidgets.QWidget):
    """Everything about one plugin. ``run_ended(state)`` fires when a run is over."""

    run_ended = QtCore.Signal(str)

    def __init__(self, manifest: Manifest, values: dict[str, Any] | None = None, device: str = "auto",
                 max_steps: int | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.manifest = manifest
        self.config_cls = manifest.config_class()
        self.max_steps = max_steps
        self.on_nonfinite = "pause"  # a NaN holds the run for a look; a script's run stops instead
        self.history, self.latest = HistorySink(), LatestSink()
        self.run: ProcessRun | None = None
        self.thread: QtCore.QThread | None = None
        self.resume_from: Path | None = None
        self.recorder: WidgetRecorder | None = None
        defaults = to_dict(self.config_cls())
        valid = {k: v for k, v in migrate(self.config_cls, values or {}).items() if k in defaults}
        self.form = ConfigForm(self.config_cls, {**defaults, **valid})
        self.form.edited.connect(self._edited)
        self.actions = ActionsBox(actions_of(self.config_cls))
        self.actions.asked.connect(lambda name, payload: self.act(name, **payload))
        self.views: list[View] = [
            VIEW_KINDS[v.kind](v, self.history, self.latest, self.view_clicked) for v in manifest.views
        ]
        self._listed = (0, 0)  # changes and actions shown in the log
        self._build(device)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)
        self._set_buttons("idle")

    # ---------- layout ----------
    def _build(self, device: str) -> None:
        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        title = QtWidgets.QLabel(f"<b>{self.manifest.title}</b><br><small>{self.manifest.description}</small>")
        title.setWordWrap(True)
        side_layout.addWidget(title)

        buttons = QtWidgets.QGridLayout()
        self.start_button = QtWidgets.QPushButton("Start")
        self.pause_button = QtWidgets.QPushButton("Pause")
        self.step_button = QtWidgets.QPushButton("Step")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.save_button = QtWidgets.QPushButton("Checkpoint")
        self.save_button.setToolTip("Save a checkpoint of the run now")
        self.load_button = QtWidgets.QPushButton("Resume from…")
        self.load_button.setToolTip("Load a checkpoint; Start then resumes it and its curves")
        for i, (b, slot) in enumerate([
            (self.start_button, self.start), (self.pause_button, self.toggle_pause), (self.step_button, self.step),
            (self.stop_button, self.stop), (self.reset_button, self.reset), (self.save_button, self.save_checkpoint),
            (self.load_button, self._ask_checkpoint),
        ]):
            b.clicked.connect(slot)
            buttons.addWidget(b, i // 4, i % 4)
        side_layout.addLayout(buttons)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        side_layout.addWidget(self.progress)
        self.status = QtWidgets.QLabel("ready: press Start")
        self.status.setWordWrap(True)
        side_layout.addWidget(self.status)
        self.error_box = QtWidgets.QPlainTextEdit(readOnly=True)
        self.error_box.setStyleSheet("color: #ff8a80;")
        self.error_box.hide()
        side_layout.addWidget(self.error_box)
        row = QtWidgets.QHBoxLayout()
        self.device = QtWidgets.QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(device)
        row.addWidget(QtWidgets.QLabel("device"))
        row.addWidget(self.device, 1)
        side_layout.addLayout(row)
        config_box = QtWidgets.QGroupBox("Config (● = can change while training)")
        QtWidgets.QVBoxLayout(config_box).addWidget(self.form)
        side_layout.addWidget(config_box)
        side_layout.addWidget(self.actions)
        log_box = QtWidgets.QGroupBox("Live changes and actions")
        self.log = QtWidgets.QListWidget()
        self.log.setMaximumHeight(110)
        QtWidgets.QVBoxLayout(log_box).addWidget(self.log)
        side_layout.addWidget(log_box)
        side_layout.addWidget(self._build_recorder())
        side_layout.addStretch(1)

        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(side.minimumSizeHint().width() + 20)

        self.view_area = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(self.view_area)
        grid.setContentsMargins(2, 2, 2, 2)
        cols = 1 if len(self.views) == 1 else 2
        for i, view in enumerate(self.views):
            grid.addWidget(view, i // cols, i % cols)
        view_scroll = QtWidgets.QScrollArea()
        view_scroll.setWidget(self.view_area)
        view_scroll.setWidgetResizable(True)

        split = QtWidgets.QSplitter()
        split.addWidget(scroll)
        split.addWidget(view_scroll)
        split.setStretchFactor(1, 1)
        split.setSizes([scroll.minimumWidth(), 1200])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _build_recorder(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Record")
        form = QtWidgets.QFormLayout(box)
        self.record_target = QtWidgets.QComboBox()
        self.record_target.addItems([v.title for v in self.views] + ["Whole panel"])
        self.record_target.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.record_target.setMinimumContentsLength(18)
        record_key = self.manifest.record
        for i, v in enumerate(self.views):
            if record_key and record_key in v.spec.keys:
                self.record_target.setCurrentIndex(i)
        self.record_fps = QtWidgets.QSpinBox(minimum=1, maximum=60, value=15)
        self.record_size = QtWidgets.QComboBox()
        self.record_size.addItems(list(SIZES))
        self.record_format = QtWidgets.QComboBox()
        self.record_format.addItems(["gif", "mp4"] if mp4_available() else ["gif"])
        self.record_button = QtWidgets.QPushButton("● Record")
        self.record_button.setCheckable(True)
        self.record_button.toggled.connect(self._toggle_record)
        self.record_status = QtWidgets.QLabel("")
        self.record_status.setWordWrap(True)
        form.addRow("view", self.record_target)
        form.addRow("fps", self.record_fps)
        form.addRow("size", self.record_size)
        form.addRow("format", self.record_format)
        form.addRow(self.record_button)
        form.addRow(self.record_status)
        return box

    # ---------- config ----------
    def values(self) -> dict[str, Any]:
        return self.form.values()

    def _edited(self, name: str, value: Any) -> None:
        if self.running and self.form.specs[name].live:
            self.run.change(**{name: value})

    def act(self, name: str, **payload: Any) -> bool:
        """Ask the run for action ``name``; False (and a message) without a run or with a bad payload."""
        if not self.running:
            self._say(f"start a run first: {self.actions.declared[name].label.lower()} acts on a training run")
            return False
        try:
            self.run.act(name, **payload)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return False
        return True

    def view_clicked(self, action: str, x: float, y: float) -> None:
        """A click on a view asks for the action the view names, at the clicked point."""
        self.act(action, **self.actions.at_point(action, x, y))

    # ---------- run control ----------
    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> bool:
        """Start a run with the form's config; False (and a message) when the config is invalid."""
        if self.running:
            return False
        try:
            cfg = from_dict(self.config_cls, self.values())
        except (ValueError, TypeError) as exc:
            self._say(f"cannot start: {exc}", error=True)
            return False
        from workbench.qt.worker import RunThread

        out_dir = self.resume_from.parent if self.resume_from is not None else new_run_dir(self.manifest.id)
        if self.resume_from is None:
            self._forget()
        self.error_box.hide()
        self.run = ProcessRun(self.manifest, cfg, device=self.device.currentText(), out_dir=out_dir,
                              sinks=[self.history, self.latest], max_steps=self.max_steps, resume_from=self.resume_from,
                              on_nonfinite=self.on_nonfinite,
                              array_keys=frozenset(k for view in self.views for k in view.array_keys()))
        self.resume_from = None
        self.thread = RunThread(self.run)
        self.thread.ended.connect(self._ended)
        self.thread.start()
        self._set_buttons("running")
        return True

    def toggle_pause(self) -> None:
        if not self.running:
            return
        if self.run.status().state == State.PAUSED:
            self.run.unpause()
        else:
            self.run.pause()

    def step(self) -> None:
        if self.running:
            self.run.step_once()
        elif self.start():
            self.run.pause()

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()

    def reset(self) -> None:
        """Stop any run and clear the views; the config stays as it is."""
        self.shutdown()
        self.run = None
        self.resume_from = None
        self._forget()
        self.error_box.hide()
        self._set_buttons("idle")
        self._say("ready: press Start")

    def _forget(self) -> None:
        """Empty the sinks and the views together: a view keeps state derived from its sink
        (a curve extends its running mean), so one must never be cleared without the other."""
        self.history.clear()
        self.latest.clear()
        for view in self.views:
            view.reset()
        self.log.clear()
        self._listed = (0, 0)

    def save_checkpoint(self) -> None:
        if self.running:
            self.run.request_checkpoint()
            self._say(f"checkpoint will be saved in {self.run.out_dir}")

    def _ask_checkpoint(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load checkpoint", str(settings.home() / "runs"),
                                                        "Checkpoints (*.pt)")
        if path:
            self.load_checkpoint(Path(path))

    def load_checkpoint(self, path: Path) -> bool:
        """Prepare to resume from ``path``: its config fills the form, its curves come back."""
        if self.running:
            return False
        try:
            payload = load_checkpoint(path, self.manifest.id)
            values = migrate(self.config_cls, payload["config"])
            from_dict(self.config_cls, values)
        except (CheckpointError, ValueError, TypeError) as exc:
            self._say(f"cannot load checkpoint: {exc}", error=True)
            return False
        path = Path(path)
        self.resume_from = path if path.is_file() else path / "checkpoint.pt"
        self.form.set_values(values)
        self._forget()
        metrics = self.resume_from.parent / "metrics.csv"
        if metrics.exists():
            columns = read_metrics(metrics)
            steps = columns.pop("step", [])
            for i, step in enumerate(steps):
                row = {k: v[i] for k, v in columns.items() if v[i] == v[i]}
                self.history.write(Snapshot(int(step), scalars=row))
        self._say(f"loaded {self.resume_from}: press Start to resume")
        return True

    def shutdown(self) -> None:
        """Stop the run and wait until it has ended (closing the window calls this).

        The trainer writes its last rows and checkpoint before it ends; a trainer that ignores
        Stop is ended by ``ProcessRun`` after its grace period, so this wait is bounded."""
        if self.recorder is not None:
            self.record_button.setChecked(False)
        if self.run is not None:
            self.run.stop()
        if self.thread is not None:
            self.thread.wait()

    def _ended(self, state: str) -> None:
        if self.run is None or self.sender() is not self.thread:
            return  # a run that Reset already let go of
        self.thread.wait(2000)  # the signal comes from the thread's last lines: let it finish
        self.refresh()
        self._show_status()
        self._set_buttons(state)
        if state == "failed":
            self.error_box.setPlainText(self.run.error)
            self.error_box.show()
        self.run_ended.emit(state)

    def _set_buttons(self, state: str) -> None:
        running = State(state).active
        self.form.lock(running)
        self.actions.enable(running)
        self.device.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.load_button.setEnabled(not running)
        for b in (self.pause_button, self.stop_button, self.save_button):
            b.setEnabled(running)

    # ---------- refresh (GUI timer) ----------
    def refresh(self) -> None:
        shown = [v for v in self.views if v.isVisible() or v.optional or not self.isVisible()]
        # Maps and frames arrive together; redrawing them all in one tick made the slowest ticks
        # ~20 ms. A few redraw per tick, the longest-waiting first; curves redraw every tick.
        waiting = sorted((v for v in shown if v.waiting()), key=lambda v: v.drawn_at)
        put_off = set(waiting[REDRAWS_PER_TICK:])
        for view in shown:
            if view not in put_off:
                view.refresh()
                if view.optional:
                    view.setVisible(view.has_data())
        if self.running:
            self._show_status()
            self._show_effective()
            self._list_changes()
        if self.recorder is not None:
            self.record_status.setText(f"recording {self.recorder.frames} frames → {self.recorder.writer.path}")

    def _show_effective(self) -> None:
        """Beside each live field a schedule moves (ε), the value the trainer last reported."""
        for name, spec in self.form.specs.items():
            if spec.live and spec.type is float and self.history.count(name):
                now = float(self.history.read(name)[1][-1])
                self.form.show_effective(name, None if math.isclose(now, self.form.values()[name]) else now)

    def _list_changes(self) -> None:
        """Append the run's new live changes and actions to the log, each with its step."""
        changes, events = self.run.changes, self.run.events
        n_changes, n_events = self._listed
        for change in changes[n_changes:]:
            self.log.addItem(f"step {change['step']}: {short_label(change['changes'], change.get('previous', {}))}")
        for event in events[n_events:]:
            label = self.actions.declared[event["action"]].label
            args = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in event["payload"].items())
            self.log.addItem(f"step {event['step']}: {label}" + (f" ({args})" if args else ""))
        if (len(changes), len(events)) != self._listed:
            self._listed = (len(changes), len(events))
            self.log.scrollToBottom()

    def _show_status(self) -> None:
        s = self.run.status()
        self.pause_button.setText("Continue" if s.state == State.PAUSED else "Pause")
        elapsed = time.strftime("%H:%M:%S", time.gmtime(s.elapsed))
        text = f"{s.state} · step {s.step} · {s.steps_per_s:,.0f} steps/s · {elapsed} · {s.device or '…'}"
        if s.message:
            text += f"\n{s.message}"
        self._say(text, error=s.state == State.FAILED or bool(s.message and s.state == State.PAUSED))
        if s.progress is not None:
            self.progress.setValue(int(1000 * min(max(s.progress, 0.0), 1.0)))

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #ff8a80;" if error else "")

    # ---------- recording ----------
    def record_widget(self) -> QtWidgets.QWidget:
        i = self.record_target.currentIndex()
        return self.views[i] if i < len(self.views) else self.view_area

    def _toggle_record(self, on: bool) -> None:
        if on:
            folder = self.run.out_dir if self.run is not None and self.run.out_dir else settings.home() / "recordings"
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = folder / f"{self.manifest.id}-{stamp}.{self.record_format.currentText()}"
            try:
                self.recorder = WidgetRecorder(self.record_widget(), path, self.record_fps.value(),
                                               SIZES[self.record_size.currentText()])
            except ValueError as exc:
                self.record_status.setText(str(exc))
                with QtCore.QSignalBlocker(self.record_button):
                    self.record_button.setChecked(False)
                return
            self.record_button.setText("■ Stop recording")
        elif self.recorder is not None:
            recorder, self.recorder = self.recorder, None
            self.record_button.setText("● Record")
            try:
                path = recorder.stop()
            except RuntimeError as exc:  # the file could not be written (a full disk, a removed folder)
                self.record_status.setText(str(exc))
                return
            self.record_status.setText(f"saved {path} ({recorder.frames} frames)" if path else "nothing recorded")


