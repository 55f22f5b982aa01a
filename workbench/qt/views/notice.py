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

    def say(self, text: str) -> None:
        """Say ``text`` (the default line when empty), placed for its new length."""
        self.setText(text or DEFAULT)
        self.place(self.parentWidget().rect())

    def apply_theme(self, look: theme.Theme) -> None:
        # its own background, so it reads over the empty plot's ticks
        self.setStyleSheet(
            f"color: {look.text}; background: {look.background}; padding: 4px 8px;"
            f"border: 1px solid {look.foreground}; border-radius: 3px;"
        )

    def eventFilter(self, watched: Any, event: QtCore.QEvent) -> bool:  # Qt override
        if event.type() == QtCore.QEvent.Type.Resize:
            self.place(watched.rect())
        return False

    def place(self, area: QtCore.QRect) -> None:
        """Centred in ``area``, as wide as its text needs (wrapped to at most 80% of the area)."""
        width = min(self.sizeHint().width(), int(area.width() * 0.8))
        height = self.heightForWidth(width) if self.hasHeightForWidth() else self.sizeHint().height()
        rect = QtCore.QRect(0, 0, width, max(height, self.sizeHint().height()))
        rect.moveCenter(area.center())
        self.setGeometry(rect)
