"""Drives a panel's ``ProcessRun`` from a QThread: the thread pumps the trainer process's
batches into the panel's sinks, the GUI pulls them on a timer, and the thread never calls Qt."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore


class RunThread(QtCore.QThread):
    """``ended(state)`` is emitted (queued to the GUI thread) when the run is over."""

    ended = QtCore.Signal(str)

    def __init__(self, run: Any) -> None:
        super().__init__()
        self.run_ = run

    def run(self) -> None:  # Qt's override: the body of the thread
        status = self.run_.run()
        self.ended.emit(status.state)
