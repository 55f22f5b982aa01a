"""A run's stored episodes scrubbed frame by frame: the frame, the network's value of every action
(the taken one highlighted), and the action, reward and TD error of the step under the slider,
as the checkpoint of the time the episode was played computed them.

``EpisodeReplay`` shows one ``Review`` (``workbench.data.episodes``), which a plugin's ``replay``
hook computes from a run folder; it never touches a network itself. ``ReplayWindow`` lists a run's
episodes (greedy evaluations, recorded episodes, demonstrations) beside it, and ``install_replay``
gives a panel whose plugin declares the hook a Replay… button.
``python -m workbench.qt.episode_replay`` opens the view on a synthetic episode.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from workbench.core.checkpoint import run_folder
from workbench.core.manifest import Manifest
from workbench.data.episodes import EpisodeEntry, Review, list_episodes
from workbench.qt import settings

TAKEN, OTHER = (255, 170, 60), (90, 140, 220)
STEP_KEYS = {QtCore.Qt.Key.Key_Left: -1, QtCore.Qt.Key.Key_Right: 1}
REFRESH_MS = 2000


class EpisodeReplay(QtWidgets.QWidget):
    """One episode's steps under a slider; ``show_step(t)`` is what the slider calls."""

    def __init__(self, review: Review, parent: Any = None) -> None:
        super().__init__(parent)
        self.review = review
        pg.setConfigOptions(imageAxisOrder="row-major")
        layout = QtWidgets.QVBoxLayout(self)
        self.source = QtWidgets.QLabel(f"{review.value_label} computed by {review.source}")
        layout.addWidget(self.source)
        plots = pg.GraphicsLayoutWidget()
        self.frame = pg.ImageItem()
        if review.frames is not None:
            frame_box = plots.addViewBox(lockAspect=True, invertY=True)
            frame_box.addItem(self.frame)
        self.values_plot = plots.addPlot(title=f"{review.value_label} per action")
        n_actions = review.values.shape[1]
        # one row per action, named on the left: an Atari game's 18 names fit there, not under bars
        self.bars = pg.BarGraphItem(x0=0.0, y=np.arange(n_actions), width=np.zeros(n_actions), height=0.6)
        self.values_plot.addItem(self.bars)
        self.values_plot.invertY(True)
        self.values_plot.getAxis("left").setTicks([[(a, review.action_name(a)) for a in range(n_actions)]])
        self.values_plot.setLabel("bottom", review.value_label)
        layout.addWidget(plots, 1)
        self.caption = QtWidgets.QLabel()
        layout.addWidget(self.caption)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, len(review.actions) - 1)
        self.slider.setToolTip("drag, or ←/→ for one step")
        self.slider.valueChanged.connect(self.show_step)
        layout.addWidget(self.slider)
        self.show_step(0)

    def show_step(self, t: int) -> None:
        r = self.review
        if r.frames is not None:
            self.frame.setImage(r.frames[t], autoLevels=False, levels=(0, 255))
        values, action = r.values[t], int(r.actions[t])
        self.bars.setOpts(
            width=values, brushes=[pg.mkBrush(TAKEN if a == action else OTHER) for a in range(len(values))]
        )
        td = "" if r.td_errors is None else f" · TD error {r.td_errors[t]:+.3f}"
        best = int(values.argmax())
        self.caption.setText(
            f"step {t + 1} of {len(r.actions)} · action {r.action_name(action)} · reward {r.rewards[t]:g}{td} · "
            f"{r.value_label} {values[action]:.3f} (best: {r.action_name(best)}, {values[best]:.3f})"
        )


class ReplayWindow(QtWidgets.QWidget):
    """A run's stored episodes on the left; the one picked, replayed on the right. The list is
    read again every ``REFRESH_MS``: a run that trains on stores more."""

    def __init__(self, manifest: Manifest, run_dir: Path, parent: Any = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.manifest, self.run_dir = manifest, Path(run_dir)
        self.setWindowTitle(f"Replay · {manifest.title} · {self.run_dir.name}")
        self.resize(1100, 520)
        row = QtWidgets.QHBoxLayout(self)
        self.entries: list[EpisodeEntry] = []  # listed by refresh(), now and every REFRESH_MS
        self.episodes = QtWidgets.QListWidget()
        self.episodes.setMaximumWidth(260)
        self.episodes.currentRowChanged.connect(self.open_episode)
        self.episodes.installEventFilter(self)
        row.addWidget(self.episodes)
        self.right = QtWidgets.QVBoxLayout()
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.right.addWidget(self.message)
        row.addLayout(self.right, 1)
        self.replay: EpisodeReplay | None = None
        self.message.setText(
            f"{self.run_dir} holds no stored episodes yet: greedy evaluations, recorded episodes "
            "and played demonstrations appear here"
        )
        self.refresh()  # the first episode opens (or says why it cannot), hiding this line
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)

    def refresh(self) -> None:
        """List the episodes stored since the last look, keeping the one picked and its replay."""
        entries = list_episodes(self.run_dir)
        if entries == self.entries:
            return
        picked = self.entries[self.episodes.currentRow()] if self.episodes.currentRow() >= 0 else None
        self.entries = entries
        with QtCore.QSignalBlocker(self.episodes):
            self.episodes.clear()
            self.episodes.addItems([e.label for e in entries])
            if picked in entries:
                self.episodes.setCurrentRow(entries.index(picked))
        if picked is None and entries:
            self.episodes.setCurrentRow(0)  # the first episode of a run that had none listed

    def open_episode(self, row: int) -> None:
        """Replay the ``row``-th episode, or say in one line why it cannot be."""
        if self.replay is not None:
            self.replay.deleteLater()
            self.replay = None
        try:
            review = self.manifest.load(self.manifest.replay)(self.run_dir, self.entries[row])
        except ValueError as exc:  # the hook's own reasons, CheckpointError's among them
            self._refuse(f"cannot replay {self.entries[row].label}: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - a failing plugin hook must not take the window down
            reason = (str(exc).strip().splitlines() or [""])[0]
            self._refuse(f"cannot replay {self.entries[row].label}: {type(exc).__name__}: {reason}")
            return
        self.message.hide()
        self.replay = EpisodeReplay(review)
        self.right.addWidget(self.replay, 1)

    def _refuse(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #ffb74d;")
        self.message.show()

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """← and → in the list step through the episode picked (↑ and ↓ pick another)."""
        if obj is self.episodes and event.type() == QtCore.QEvent.Type.KeyPress and self.replay is not None:
            step = STEP_KEYS.get(event.key())
            if step is not None:
                self.replay.slider.setValue(self.replay.slider.value() + step)
                return True
        return False


def open_replay(manifest: Manifest, run_dir: Path, parent: Any = None) -> ReplayWindow:
    """Show a replay window on ``run_dir`` (what a panel's Replay… button and the runs list call)."""
    window = ReplayWindow(manifest, run_dir, parent)
    window.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window


def install_replay(panel: Any) -> QtWidgets.QPushButton | None:
    """A Replay… button beside Sweep… for a panel whose plugin declares a ``replay`` hook: it opens
    the run on screen (``panel.replay_dir`` for a kept run the panel shows), or the last one, or
    asks for a run folder."""
    panel.replay_dir = None
    if not panel.manifest.replay:
        return None
    button = QtWidgets.QPushButton("Replay…")
    button.setToolTip(
        "Step through this run's greedy evaluations, recorded episodes and demonstrations, "
        "with the values the network computed at the time"
    )
    toolbar = panel.sweep_button.parentWidget().layout()
    toolbar.insertWidget(toolbar.indexOf(panel.sweep_button) + 1, button)

    def ask() -> None:
        run_dir = panel.replay_dir
        if run_dir is None and panel.run is not None:
            run_dir = panel.run.out_dir
        if run_dir is None and panel.resume_from is not None:
            run_dir = run_folder(panel.resume_from)
        if run_dir is None:
            start = settings.home() / "runs" / panel.manifest.id
            chosen = QtWidgets.QFileDialog.getExistingDirectory(panel, "Replay a run", str(start))
            run_dir = Path(chosen) if chosen else None
        if run_dir is not None:
            panel.replay_window = open_replay(panel.manifest, run_dir, panel)

    button.clicked.connect(ask)
    panel.replay_button = button
    return button


def synthetic_review(steps: int = 30, n_actions: int = 2) -> Review:
    rng = np.random.default_rng(0)
    frames = np.zeros((steps, 60, 90, 3), np.uint8)
    for t in range(steps):
        frames[t, 20:40, 3 * t : 3 * t + 10] = 255
    return Review(
        values=rng.normal(size=(steps, n_actions)).astype(np.float32),
        actions=rng.integers(n_actions, size=steps),
        rewards=np.ones(steps, np.float32),
        frames=frames,
        td_errors=rng.normal(scale=0.1, size=steps).astype(np.float32),
        value_label="Q",
        source="a synthetic network",
        action_names=("push left", "push right"),
    )


if __name__ == "__main__":
    app = QtWidgets.QApplication(sys.argv)
    view = EpisodeReplay(synthetic_review())
    view.resize(900, 420)
    view.show()
    app.exec()
