"""The panel's action buttons: one per action the plugin declares, with inputs for its payload.

A press asks the run for the action with the inputs' values; a click on a view asks for the
action the view names, with the clicked point in the payload's first two arguments and the
inputs' values for the rest (say, what to paint).
"""

from __future__ import annotations

import math
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.core.actions import Action
from workbench.qt.params import Field, labelled


class ActionsBox(QtWidgets.QGroupBox):
    """``asked(name, payload)`` fires when a button is pressed."""

    asked = QtCore.Signal(str, object)

    def __init__(self, actions: tuple[Action, ...], parent: Any = None) -> None:
        super().__init__("Actions", parent)
        self.declared = {a.name: a for a in actions}
        self.inputs: dict[str, dict[str, Field]] = {}
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        layout = QtWidgets.QVBoxLayout(self)
        for action in actions:
            button = QtWidgets.QPushButton(action.label)
            button.setToolTip(action.help)
            button.clicked.connect(lambda _=False, name=action.name: self.asked.emit(name, self.payload(name)))
            layout.addWidget(button)
            self.buttons[action.name] = button
            self.inputs[action.name] = {}
            if action.payload:
                form = QtWidgets.QFormLayout()
                form.setContentsMargins(12, 0, 0, 4)
                for spec in action.payload:
                    label, field = labelled(spec, spec.default)
                    form.addRow(label, field)
                    self.inputs[action.name][spec.name] = field
                layout.addLayout(form)
        self.setVisible(bool(actions))

    def payload(self, name: str) -> dict[str, Any]:
        """The values of action ``name``'s inputs."""
        return {arg: field.value() for arg, field in self.inputs[name].items()}

    def at_point(self, name: str, x: float, y: float) -> dict[str, Any]:
        """Action ``name``'s payload with its first two arguments set to a clicked point (whole
        numbers for int arguments: the cell under the pointer), shown in the inputs too."""
        values = self.payload(name)
        for spec, v in zip(self.declared[name].payload[:2], (x, y)):
            values[spec.name] = math.floor(v) if spec.type is int else float(v)
            self.inputs[name][spec.name].set_value(values[spec.name])
        return values

    def enable(self, running: bool) -> None:
        """Actions reach a trainer: they can be asked for while a run is going."""
        for button in self.buttons.values():
            button.setEnabled(running)
