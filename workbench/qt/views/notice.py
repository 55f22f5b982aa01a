"""The line a view shows in its middle until its data arrives ("first samples at step 250"):
a view never waits without saying for what."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.qt import theme

DEFAULT = "waiting for data"


class WaitingNotice(QtWidgets.QLabel):
    """A centred label over ``view`` that follows its size and the theme."""

    def __init__(self, view: QtWidgets.QWidget, text: str = "") -> None:
        super().__init__(text or DEFAULT, view)
        self.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setFont(theme.font(theme.LABEL_PT))
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.installEventFilter(self)
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        self.setStyleSheet(f"color: {look.foreground}; background: transparent;")

    def eventFilter(self, watched: Any, event: QtCore.QEvent) -> bool:  # Qt override
        if event.type() == QtCore.QEvent.Type.Resize:
            self.setGeometry(watched.rect().adjusted(20, 40, -20, -20))
        return False
