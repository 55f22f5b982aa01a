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

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.actions import actions_of
from workbench.core.checkpoint import CheckpointError, checkpoint_file, load_checkpoint
from workbench.core.config import from_dict, migrate, specs, to_dict
from workbench.core.device import DEVICES
from workbench.core.manifest import Manifest
from workbench.core.process_run import ProcessRun
from workbench.core.recipes import Recipe, recipes_of
from workbench.core.recorder import mp4_available
from workbench.core.sinks import HistorySink, LatestSink, read_metrics
from workbench.core.snapshot import Snapshot
from workbench.core.status import State
from workbench.qt import settings
from workbench.qt.actions import ActionsBox
from workbench.qt.episode_replay import install_replay
from workbench.qt.params import ConfigForm
from workbench.qt.play import install_play
from workbench.qt.recorder import WidgetRecorder
from workbench.qt.view_grid import ViewGrid
from workbench.qt.views import VIEW_KINDS
from workbench.qt.views.base import View
from workbench.qt.views.marks import short_label

REFRESH_MS = 33
DRAW_BUDGET_S = 0.003  # drawing per tick while a run trains: about a tenth of a core at 30 Hz
SIZES = {"native": None, "480x320": (480, 320), "640x480": (640, 480), "800x600": (800, 600)}


def format_value(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def new_run_dir(plugin_id: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]
    return settings.home() / "runs" / plugin_id / stamp


class PluginPanel(QtWidgets.QWidget):
    """Everything about one plugin. ``run_ended(state)`` fires when a run is over."""

    run_ended = QtCore.Signal(str)

    def __init__(
        self,
        manifest: Manifest,
        values: dict[str, Any] | None = None,
        device: str = "auto",
        max_steps: int | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.manifest = manifest
        self.config_cls = manifest.config_class()
        self.max_steps = max_steps
        self.on_nonfinite = "pause"  # a NaN holds the run for a look; a script's run stops instead
        self.history, self.latest = HistorySink(), LatestSink()
        self.run: ProcessRun | None = None
        self.run_thread: QtCore.QThread | None = None
        self.resume_from: Path | None = None
        self._stop_asked = False  # Stop was pressed and the run has not ended yet
        self.recorder: WidgetRecorder | None = None
        known = {s.name for s in specs(self.config_cls)}
        valid = {k: v for k, v in migrate(self.config_cls, values or {}).items() if k in known}
        self.form = ConfigForm(self.config_cls, valid)  # the rest at their defaults under these
        self.form.edited.connect(self._edited)
        self.actions_box = ActionsBox(actions_of(self.config_cls))
        self.actions_box.asked.connect(lambda name, payload: self.act(name, **payload))
        self.views: list[View] = [
            VIEW_KINDS[v.kind](v, self.history, self.latest, self.view_clicked) for v in manifest.views
        ]
        self._say_waiting()
        self._listed = (0, 0)  # changes and actions shown in the log
        self._credit = DRAW_BUDGET_S  # drawing time a tick may spend: each tick adds a budget, paints take it
        self._draw_s: dict[QtWidgets.QWidget, float] = {}  # each view's last refresh: with its paint, its cost
        self.recipes = recipes_of(manifest)
        self._build(device)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)
        self._set_buttons("idle")
        install_play(self)
        install_replay(self)

    # ---------- layout ----------
    def _build(self, device: str) -> None:
        """A toolbar of run controls and Record on top, always in sight; below it the config in a
        side panel that folds, beside the views in a grid that fits the rest of the window."""
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._build_toolbar())
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        layout.addWidget(self.progress)
        self.status = QtWidgets.QLabel("ready: press Start")
        self.status.setWordWrap(True)
        self.record_status = QtWidgets.QLabel("")
        self.record_status.setWordWrap(True)
        self.record_status.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextBrowserInteraction)
        self.record_status.linkActivated.connect(self._open_link)
        self.record_status.hide()
        for label in (self.status, self.record_status):
            label.setContentsMargins(6, 0, 6, 0)
            layout.addWidget(label)
        layout.addWidget(self._build_offer())
        self.split = QtWidgets.QSplitter()
        self.split.setChildrenCollapsible(False)
        self.side = self._build_side(device)
        self.grid = ViewGrid(self.views, self.manifest.title)
        self.grid.arranged.connect(self._sync_views_menu)
        self.view_area = self.grid
        self.split.addWidget(self.side)
        self.split.addWidget(self.grid)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([self.side.minimumWidth(), 1200])
        layout.addWidget(self.split, 1)
        self._view_actions = {}
        for view in self.views:
            action = self.views_button.menu().addAction(view.title)
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(lambda on, v=view: self.grid.arrange(v, "show" if on else "hide"))
            self._view_actions[view] = action

    def _build_toolbar(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(4, 4, 4, 0)
        self.config_button = QtWidgets.QToolButton(text="◧ Config", checkable=True, checked=True)
        self.config_button.setToolTip("Show or fold the config, actions and log of changes")
        self.config_button.toggled.connect(self.show_config)
        row.addWidget(self.config_button)
        self.start_button = QtWidgets.QPushButton("▶ Start")
        self.pause_button = QtWidgets.QPushButton("Pause")
        self.step_button = QtWidgets.QPushButton("Step")
        self.step_button.setToolTip("Let one more snapshot through (a new run starts paused)")
        self.stop_button = QtWidgets.QPushButton("■ Stop")
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("Stop any run and clear every view; the config stays")
        self.save_button = QtWidgets.QPushButton("Checkpoint")
        self.save_button.setToolTip("Save a checkpoint of the run now")
        self.load_button = QtWidgets.QPushButton("Resume from…")
        self.load_button.setToolTip("Load a checkpoint; Start then resumes it and its curves")
        self.sweep_button = QtWidgets.QPushButton("Sweep…")
        self.sweep_button.setToolTip("Run this plugin over a grid of settings and seeds, side by side")
        for b, slot in [
            (self.start_button, self.start),
            (self.pause_button, self.toggle_pause),
            (self.step_button, self.step),
            (self.stop_button, self.stop),
            (self.reset_button, self.reset),
            (self.save_button, self.save_checkpoint),
            (self.load_button, self.ask_checkpoint),
            (self.sweep_button, self._open_sweep),
        ]:
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        self.views_button = QtWidgets.QToolButton(text="Views")
        self.views_button.setToolTip("Show hidden views again; right-click a view to hide, detach or maximise it")
        self.views_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.views_button.setMenu(QtWidgets.QMenu(self.views_button))
        row.addWidget(self.views_button)
        row.addWidget(self._build_recorder())
        return bar

    def _open_sweep(self) -> None:
        from workbench.qt.sweep_dialog import open_sweep_dialog

        open_sweep_dialog(self)

    def _build_side(self, device: str) -> QtWidgets.QScrollArea:
        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        title = QtWidgets.QLabel(f"<b>{self.manifest.title}</b><br><small>{self.manifest.description}</small>")
        title.setWordWrap(True)
        side_layout.addWidget(title)
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
        side_layout.addWidget(self.actions_box)
        log_box = QtWidgets.QGroupBox("Live changes and actions")
        self.log = QtWidgets.QListWidget()
        self.log.setMaximumHeight(110)
        QtWidgets.QVBoxLayout(log_box).addWidget(self.log)
        side_layout.addWidget(log_box)
        side_layout.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(side.minimumSizeHint().width() + 20)
        return scroll

    def _build_offer(self) -> QtWidgets.QFrame:
        """A notice that offers a recipe when a field is set to what it is made for (DQN's Atari games)."""
        self.offer = QtWidgets.QFrame()
        self.offer.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        row = QtWidgets.QHBoxLayout(self.offer)
        row.setContentsMargins(6, 2, 6, 2)
        self.offer_text = QtWidgets.QLabel()
        self.offer_text.setWordWrap(True)
        self.offer_button = QtWidgets.QPushButton("Use the preset")
        self.offer_button.clicked.connect(self._take_offer)
        dismiss = QtWidgets.QPushButton("Keep my settings")
        dismiss.clicked.connect(self.offer.hide)
        row.addWidget(self.offer_text, 1)
        row.addWidget(self.offer_button)
        row.addWidget(dismiss)
        self.offer.hide()
        self._offered: Recipe | None = None
        return self.offer

    def _build_recorder(self) -> QtWidgets.QToolButton:
        """Record in the toolbar; its settings (view, fps, size, format) in the button's menu."""
        settings_box = QtWidgets.QWidget()
        form = QtWidgets.QFormLayout(settings_box)
        self.record_target = QtWidgets.QComboBox()
        self.record_target.addItems([v.title for v in self.views] + ["Whole panel"])
        record_key = self.manifest.record
        for i, v in enumerate(self.views):
            if record_key and record_key in v.spec.keys:
                self.record_target.setCurrentIndex(i)
        self.record_fps = QtWidgets.QSpinBox(minimum=1, maximum=60, value=15)
        self.record_size = QtWidgets.QComboBox()
        self.record_size.addItems(list(SIZES))
        self.record_format = QtWidgets.QComboBox()
        self.record_format.addItems(["gif", "mp4"] if mp4_available() else ["gif"])
        form.addRow("view", self.record_target)
        form.addRow("fps", self.record_fps)
        form.addRow("size", self.record_size)
        form.addRow("format", self.record_format)
        menu = QtWidgets.QMenu(self)
        holder = QtWidgets.QWidgetAction(menu)
        holder.setDefaultWidget(settings_box)
        menu.addAction(holder)
        self.record_button = QtWidgets.QToolButton(text="● Record", checkable=True)
        self.record_button.setToolTip("Record the chosen view to GIF or MP4 (the arrow: which view, fps, size, format)")
        self.record_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.record_button.setMenu(menu)
        self.record_button.toggled.connect(self._toggle_record)
        return self.record_button

    def show_config(self, shown: bool) -> None:
        """Fold or unfold the side panel (config, actions, log): the views take the room."""
        self.side.setVisible(shown)
        with QtCore.QSignalBlocker(self.config_button):
            self.config_button.setChecked(shown)

    def _sync_views_menu(self) -> None:
        for view, action in self._view_actions.items():
            with QtCore.QSignalBlocker(action):
                action.setChecked(view not in self.grid.hidden)

    def arrangement(self) -> dict[str, Any]:
        """How a person arranged this panel: kept per plugin between launches."""
        return {**self.grid.state(), "config": self.config_button.isChecked(), "split": self.split.sizes()}

    def arrange(self, state: dict[str, Any]) -> None:
        """Apply a remembered ``arrangement()``; parts of the wrong shape are ignored."""
        self.grid.restore(state)
        self.show_config(state.get("config", True) is not False)
        split = state.get("split")
        if isinstance(split, list) and len(split) == 2 and all(isinstance(x, int) and x > 0 for x in split):
            self.split.setSizes(split)
        self._sync_views_menu()

    # ---------- config ----------
    def values(self) -> dict[str, Any]:
        return self.form.values()

    def _say_waiting(self) -> None:
        """Views waiting for data say when it comes under the form's settings, the next run's."""
        values = self.values()
        for view in self.views:
            view.say_waiting(values)

    def _edited(self, name: str, value: Any) -> None:
        if not self.running:
            self._say_waiting()
        if self.running and self.form.specs[name].live:
            self.run.change(**{name: value})
        offered = next((r for r in self.recipes if r.offered_for(name, value)), None)
        if offered is not None and not self.running:
            self._offered = offered
            self.offer_text.setText(offered.notice or f"use the preset {offered.title!r}?")
            self.offer_button.setText(f"Use “{offered.title}”")
            self.offer.show()

    def _take_offer(self) -> None:
        if self._offered is not None:
            self.apply_values(self._offered.values_keeping(self.values()))
        self.offer.hide()

    def apply_values(self, values: dict[str, Any]) -> bool:
        """Fill the form with ``values`` (a recipe's); refused while a run trains, with a message."""
        if self.running:
            self._say("stop the run first: a preset changes settings that lock while training", error=True)
            return False
        self.form.set_values(values)
        self._say_waiting()
        self._say("preset applied: press Start")
        return True

    def act(self, name: str, **payload: Any) -> bool:
        """Ask the run for action ``name``; False (and a message) without a run or with a bad payload."""
        if not self.running:
            self._say(f"start a run first: {self.actions_box.declared[name].label.lower()} acts on a training run")
            return False
        try:
            self.run.act(name, **payload)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return False
        return True

    def view_clicked(self, action: str, x: float, y: float) -> None:
        """A click on a view asks for the action the view names, at the clicked point."""
        self.act(action, **self.actions_box.at_point(action, x, y))

    # ---------- run control ----------
    @property
    def running(self) -> bool:
        return self.run_thread is not None and self.run_thread.isRunning()

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
        for view in self.views:  # views that do not apply to these settings stay hidden
            view.configure(to_dict(cfg))
        self.grid.notice_data()
        self.error_box.hide()
        self.run = ProcessRun(
            self.manifest,
            cfg,
            device=self.device.currentText(),
            out_dir=out_dir,
            sinks=[self.history, self.latest],
            max_steps=self.max_steps,
            resume_from=self.resume_from,
            on_nonfinite=self.on_nonfinite,
            array_keys=frozenset(k for view in self.views for k in view.array_keys()),
        )
        self.resume_from = None
        self._stop_asked = False
        self.run_thread = RunThread(self.run)
        self.run_thread.ended.connect(self._ended)
        self.run_thread.start()
        self._set_buttons("running")
        return True

    def toggle_pause(self) -> None:
        if not self.running or self._stop_asked:
            return
        if self.run.status().state == State.PAUSED:
            self.run.unpause()
        else:
            self.run.pause()

    def step(self) -> None:
        """One more snapshot of the paused run; with no run, a new one starts paused (after an
        ended run, only once the person agreed to start a new one)."""
        if self.running:
            if self.run.status().state != State.STOPPING:
                self.run.step_once()
            return
        if self.run is not None and not self.confirm("The run has ended. Start a new run, paused at its first step?"):
            return
        if self.start():
            self.run.pause()

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question (a script or test replaces this to answer without a person)."""
        answer = QtWidgets.QMessageBox.question(self, self.manifest.title, question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def stop(self) -> None:
        if self.run is not None:
            self._stop_asked = self.running
            self.run.stop()
            if self.running:
                self._show_status()

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

    def ask_checkpoint(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Load checkpoint", str(settings.home() / "runs"), "Checkpoints (*.pt)"
        )
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
        self.resume_from = checkpoint_file(path)
        self.form.set_values(values)
        self._say_waiting()
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
        self.grid.close_windows()
        if self.run is not None:
            self.run.stop()
        if self.run_thread is not None:
            self.run_thread.wait()

    def _ended(self, state: str) -> None:
        if self.run is None or self.sender() is not self.run_thread:
            return  # a run that Reset already let go of
        self.run_thread.wait(2000)  # the signal comes from the thread's last lines: let it finish
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
        self.actions_box.enable(running)
        self.device.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.load_button.setEnabled(not running)
        self.step_button.setEnabled(True)
        for b in (self.pause_button, self.stop_button, self.save_button):
            b.setEnabled(running)

    # ---------- refresh (GUI timer) ----------
    def refresh(self) -> None:
        self.grid.notice_data()
        recorded = self.record_widget() if self.recorder is not None else None  # drawn on any page
        shown = [v for v in self.views if v.isVisible() or v.optional or not self.isVisible() or v is recorded]
        # While a run trains, views with new data redraw longest-waiting first until the tick has
        # spent its credit on them (their refresh and their last paint): each tick adds one
        # DRAW_BUDGET_S (saving at most one), so a paint over budget is paid back by ticks that
        # draw nothing and the views draw on average within the budget. Redrawing all of them
        # every tick held the GUI thread for 20-100 ms and took CPU from the trainer, which on 2
        # cores shares them with the GUI (the bandit trained at 0.45 of its headless speed); a
        # busy machine makes every paint slower, so the views then redraw less often instead of
        # the GUI lagging. A tick's first view always draws; another only where its last cost
        # fits what the tick has left, since the window paints all its views' changes at once:
        # the sum of their paints is one stretch the GUI thread cannot answer in (the bandit's
        # event-loop p99 went from 25-30 ms to 18-21 ms on a loaded machine). A budget of 4 ms let
        # two of the bandit's curves share a tick often enough for an 11 ms p99 on an idle
        # machine; at 3 ms it is 7.6 ms, and its curves redraw about 11 times a second, not 17.
        waiting = sorted((v for v in shown if v.waiting()), key=lambda v: v.drawn_at)
        for view in shown:
            if view not in waiting:
                view.refresh()  # views that do not say when they wait decide for themselves
        self._credit = min(self._credit + DRAW_BUDGET_S, DRAW_BUDGET_S) if self.running else DRAW_BUDGET_S
        drawn = False
        for view in waiting:
            cost = self._draw_s.get(view, 0.0) + view.paint_s
            if self.running and (self._credit <= 0 or (drawn and cost > self._credit)):
                break  # a window paints its views' changes in one go: the next tick draws this one
            start = time.perf_counter()
            view.refresh()
            self._draw_s[view] = time.perf_counter() - start
            self._credit -= self._draw_s[view] + view.paint_s
            drawn = True
        if self.running:
            self._show_status()
            self._show_effective()
            self._list_changes()
        if self.recorder is not None:
            self._say_recording(f"recording: {self.recorder.written} frames in {self.recorder.writer.path}")

    def _show_effective(self) -> None:
        """Beside each live field a schedule moves (ε), the value the trainer last reported."""
        for name, spec in self.form.specs.items():
            now = self.history.last(name) if spec.live and spec.type is float else None
            if now is not None:  # read each tick: the latest value, not a copy of the whole curve
                self.form.show_effective(name, None if math.isclose(now, self.form.fields[name].value()) else now)

    def _list_changes(self) -> None:
        """Append the run's new live changes and actions to the log, each with its step."""
        changes, events = self.run.changes, self.run.events
        n_changes, n_events = self._listed
        for change in changes[n_changes:]:
            self.log.addItem(f"step {change['step']}: {short_label(change['changes'], change.get('previous', {}))}")
        for event in events[n_events:]:
            label = self.actions_box.declared[event["action"]].label
            args = ", ".join(f"{k}={format_value(v)}" for k, v in event["payload"].items())
            self.log.addItem(f"step {event['step']}: {label}" + (f" ({args})" if args else ""))
        if (len(changes), len(events)) != self._listed:
            self._listed = (len(changes), len(events))
            self.log.scrollToBottom()

    def state(self) -> State:
        """Where the run stands; "stopping" from Stop until the trainer has ended (a paused child
        process reports nothing new until then)."""
        if self.run is None:
            return State.IDLE
        state = self.run.status().state
        return State.STOPPING if self._stop_asked and state.active else state

    def _show_status(self) -> None:
        s, state = self.run.status(), self.state()
        self.pause_button.setText("Continue" if state == State.PAUSED else "Pause")
        if state.active:
            for b in (self.pause_button, self.step_button, self.stop_button, self.save_button):
                b.setEnabled(state != State.STOPPING)
        elapsed = time.strftime("%H:%M:%S", time.gmtime(s.elapsed))
        text = f"{state} · step {s.step} · {s.steps_per_s:,.0f} steps/s · {elapsed} · {s.device or '…'}"
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
                self.recorder = WidgetRecorder(
                    self.record_widget(),
                    path,
                    self.record_fps.value(),
                    SIZES[self.record_size.currentText()],
                    caption=self.caption,
                )
            except ValueError as exc:
                self._say_recording(str(exc))
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
                self._say_recording(str(exc))
                return
            if path is None:
                self._say_recording("nothing recorded")
                return
            folder = QtCore.QUrl.fromLocalFile(str(path.parent)).toString()
            self._say_recording(
                f'saved {recorder.written} frames to {path} · <a href="{folder}">open folder</a>', rich=True
            )

    def caption(self) -> str:
        """The line under each recorded frame: the plugin, the step and the live settings in effect."""
        step = self.run.status().step if self.run is not None else 0
        values = self.values()
        live = [
            f"{name}={format_value(values[name])}"
            for name, spec in self.form.specs.items()
            if spec.live and self.form.applies(name)
        ]
        return " · ".join([self.manifest.title, f"step {step:,}", *live])

    def _say_recording(self, text: str, rich: bool = False) -> None:
        self.record_status.setTextFormat(QtCore.Qt.TextFormat.RichText if rich else QtCore.Qt.TextFormat.PlainText)
        self.record_status.setText(text)
        self.record_status.setToolTip(text if not rich else "")
        self.record_status.setVisible(bool(text))

    def _open_link(self, url: str) -> None:
        QtGui.QDesktopServices.openUrl(QtCore.QUrl(url))
