"""The keyboard as a controller: once Play is pressed, a mapped key sends the run a ``key``
action with the environment's action index and, in a real-time game, its release a ``release``
action (a key held acts until then); T hands the training env to the person and back in plugins
that declare ``takeover``.

Installed on a panel with one call, ``install_play(panel)``. The map comes from
``workbench.envs.keys`` for the env in the form; without one, Play is disabled and says why.
While a real-time game is played, the plugin's live ``play_speed`` setting sits on the Play line
beside the keys (taken out of the form: one control, whose edits travel as live changes).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.envs.keys import key_map, real_time

TAKEOVER_KEY = "T"
SPEED = "play_speed"
KEY_EVENTS = (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease)


class PlayKeys(QtCore.QObject):
    """Watches key presses in one panel while its person plays or has taken over."""

    def __init__(self, panel: Any) -> None:
        super().__init__(panel)
        self.panel = panel
        self.playing = False
        self.taking_over = False
        self.button = panel.actions_box.buttons["play"]
        # a line of its own under the run's status, which the panel rewrites many times a second
        self.line = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.line)
        row.setContentsMargins(6, 0, 6, 0)
        self.hint = QtWidgets.QLabel()
        row.addWidget(self.hint, 1)
        self.speed = panel.form.take_row(SPEED) if SPEED in panel.form.fields else None
        self.speed_label: QtWidgets.QLabel | None = None  # only beside a speed field, in this line
        if self.speed is not None:
            panel.form.fields[SPEED].spin.setDecimals(2)
            self.speed.setMinimumWidth(220)
            self.speed_label = QtWidgets.QLabel("speed (0.1 slow motion … 1 real time)")
            row.addWidget(self.speed_label)
            row.addWidget(self.speed)
        self.line.hide()
        panel.layout().insertWidget(panel.layout().indexOf(panel.status) + 1, self.line)
        self._hide_key_action()
        panel.actions_box.asked.connect(self._asked)
        panel.form.edited.connect(lambda *_: self._refresh())
        panel.run_ended.connect(self._ended)
        enable = panel.actions_box.enable

        def enable_when_playable(running: bool) -> None:
            enable(running)
            self._refresh()

        panel.actions_box.enable = enable_when_playable
        QtWidgets.QApplication.instance().installEventFilter(self)
        self._refresh()

    def _hide_key_action(self) -> None:
        """``key`` and ``release`` are sent by the keyboard, not by buttons."""
        box = self.panel.actions_box
        for name in ("key", "release"):
            box.buttons[name].hide()
            for field in box.inputs[name].values():
                field.hide()
                for form in box.findChildren(QtWidgets.QFormLayout):
                    if (label := form.labelForField(field)) is not None:
                        label.hide()

    @property
    def env(self) -> str:
        return str(self.panel.form.values().get("env", ""))

    def keys(self) -> dict[str, int]:
        return key_map(self.env)

    def _refresh(self) -> None:
        playable = bool(self.keys())
        self.button.setEnabled(playable and self.panel.running)
        if playable:
            names = ", ".join(f"{k} → {a}" for k, a in self.keys().items())
            self.button.setToolTip(f"play {self.env} with the keyboard ({names}); press again to stop")
        else:
            self.button.setToolTip(f"{self.env} has no keyboard map: it cannot be played by hand")
        self.button.setText("Stop playing" if self.playing else "Play")
        self._say_keys()

    @property
    def real_time(self) -> bool:
        """The game runs by itself while played: a key acts while held."""
        return real_time(self.env)

    def _say_keys(self) -> None:
        """While the keys play: which key does what, and in a real-time game how fast it runs."""
        self.line.setVisible(self.playing or self.taking_over)
        for widget in (self.speed_label, self.speed):
            if widget is not None:
                widget.setVisible(self.playing and self.real_time)
        self.hint.setStyleSheet("")
        keys = ", ".join(f"{k} → {a}" for k, a in self.keys().items())
        who = "you play" if self.playing else "you have the training env (T gives it back)"
        how = "hold" if self.playing and self.real_time else "press"
        self.hint.setText(f"{who} {self.env}: {how} {keys}")

    def _asked(self, name: str, _payload: object) -> None:
        if name == "play" and self.panel.running:
            self.playing = not self.playing
            self._refresh()

    def _ended(self, _state: str) -> None:
        self.playing = self.taking_over = False
        self._refresh()

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() not in KEY_EVENTS or not self.panel.running:
            return False
        if not (obj is self.panel or (isinstance(obj, QtWidgets.QWidget) and self.panel.isAncestorOf(obj))):
            return False
        assert isinstance(event, QtGui.QKeyEvent)
        name = QtGui.QKeySequence(event.key()).toString()
        if event.type() == QtCore.QEvent.Type.KeyRelease or (event.isAutoRepeat() and self.real_time):
            return self._released(name, event)
        if name == TAKEOVER_KEY and "takeover" in self.panel.actions_box.declared:
            self.taking_over = not self.taking_over
            self.panel.act("takeover")
            self._say_keys()
            return True
        if not (self.playing or self.taking_over):
            return False
        keys = self.keys()
        if name in keys:
            self.panel.act("key", action=keys[name])
            self._say_keys()
        else:
            self.hint.setText(f"{name or 'that key'} plays nothing in {self.env}: use {', '.join(keys)}")
            self.hint.setStyleSheet("color: #ffb74d;")
        return True

    def _released(self, name: str, event: QtGui.QKeyEvent) -> bool:
        """A real-time game hears when a held key is let go; a key held down repeats nothing
        there (it acts until released), and a grid world steps on presses only."""
        if not (self.playing or self.taking_over) or name not in self.keys() or not self.real_time:
            return False
        if self.playing and not event.isAutoRepeat():  # a takeover plays the last key pressed
            self.panel.act("release", action=self.keys()[name])
        return True


def install_play(panel: Any) -> PlayKeys | None:
    """Keyboard play for a panel whose plugin declares ``play``; nothing for the others."""
    if "play" not in panel.actions_box.declared:
        return None
    panel.play_keys = PlayKeys(panel)
    return panel.play_keys
