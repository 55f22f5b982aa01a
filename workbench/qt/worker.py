"""Runs a core ``Run`` on a QThread; the GUI pulls its sinks on a timer, the thread never calls Qt."""

from __future__ import annotations

from PySide6 import QtCore

from workbench.core.driver import Run


class RunThread(QtCore.QThread):
    """``ended(state)`` is emitted (queued to the GUI thread) when the run is over."""

    ended = QtCore.Signal(str)

    def __init__(self, run: Run, threads: int = 1) -> None:
        super().__init__()
        self.run_ = run
        self.threads = threads

    def run(self) -> None:  # Qt's override: the body of the thread
        try:
            import torch

            torch.set_num_threads(self.threads)
        except ImportError:
            pass
        status = self.run_.run()
        self.ended.emit(status.state)
