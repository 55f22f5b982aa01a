"""A recorded episode scrubbed frame by frame: the frame, the values of every action (the taken
one highlighted), and the action, reward and TD error of the step under the slider.

It shows the arrays a plugin computes from a run (DQN's ``review``: ``frames``, ``q_values``,
``actions``, ``rewards``, ``td_errors``) and never touches a network itself.
``python -m workbench.qt.episode_replay`` opens it on a synthetic episode.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

TAKEN, OTHER = (255, 170, 60), (90, 140, 220)


class EpisodeReplay(QtWidgets.QWidget):
    """One episode's steps under a slider; ``show_step(t)`` is what the slider calls."""

    def __init__(self, episode: dict[str, np.ndarray], value_label: str = "Q", parent: Any = None) -> None:
        super().__init__(parent)
        self.episode = episode
        self.value_label = value_label
        pg.setConfigOptions(imageAxisOrder="row-major")
        layout = QtWidgets.QVBoxLayout(self)
        plots = pg.GraphicsLayoutWidget()
        self.frame_box = plots.addViewBox(lockAspect=True, invertY=True)
        self.frame = pg.ImageItem()
        self.frame_box.addItem(self.frame)
        self.values_plot = plots.addPlot(title=f"{value_label} per action")
        n_actions = episode["q_values"].shape[1]
        self.bars = pg.BarGraphItem(x=np.arange(n_actions), height=np.zeros(n_actions), width=0.6)
        self.values_plot.addItem(self.bars)
        self.values_plot.setLabel("bottom", "action")
        layout.addWidget(plots, 1)
        self.caption = QtWidgets.QLabel()
        layout.addWidget(self.caption)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, len(episode["actions"]) - 1)
        self.slider.valueChanged.connect(self.show_step)
        layout.addWidget(self.slider)
        self.show_step(0)

    def show_step(self, t: int) -> None:
        e = self.episode
        self.frame.setImage(e["frames"][t], autoLevels=False, levels=(0, 255))
        values, action = e["q_values"][t], int(e["actions"][t])
        self.bars.setOpts(
            height=values, brushes=[pg.mkBrush(TAKEN if a == action else OTHER) for a in range(len(values))]
        )
        self.caption.setText(
            f"step {t + 1} of {len(e['actions'])} · action {action} · reward {e['rewards'][t]:g} · "
            f"TD error {e['td_errors'][t]:+.3f} · {self.value_label} {values[action]:.3f}"
        )


def synthetic_episode(steps: int = 30, n_actions: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    frames = np.zeros((steps, 60, 90, 3), np.uint8)
    for t in range(steps):
        frames[t, 20:40, 3 * t : 3 * t + 10] = 255
    return {
        "frames": frames,
        "q_values": rng.normal(size=(steps, n_actions)).astype(np.float32),
        "actions": rng.integers(n_actions, size=steps),
        "rewards": np.ones(steps, np.float32),
        "td_errors": rng.normal(scale=0.1, size=steps).astype(np.float32),
    }


if __name__ == "__main__":
    app = QtWidgets.QApplication(sys.argv)
    view = EpisodeReplay(synthetic_episode())
    view.resize(900, 420)
    view.show()
    app.exec()
