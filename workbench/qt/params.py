"""A config form built from a plugin's schema: sliders (log-scaled for rates), spin boxes,
drop-downs, check boxes and buttons. Fields not marked live lock while a run trains."""

from __future__ import annotations

import math
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.core.config import FieldSpec, specs

SLIDER_TICKS = 1000


class FloatField(QtWidgets.QWidget):
    """A slider beside a spin box; the slider is log-scaled when the field says so."""

    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.spec = spec
        lo = spec.lo if spec.lo is not None else -1e9
        hi = spec.hi if spec.hi is not None else 1e9
        self.log = spec.log and lo > 0
        self.spin = QtWidgets.QDoubleSpinBox(decimals=6 if self.log or hi - lo < 10 else 3)
        self.spin.setRange(lo, hi)
        self.spin.setSingleStep((hi - lo) / 100 if spec.lo is not None and spec.hi is not None else 0.1)
        self.spin.setKeyboardTracking(False)
        self.spin.setMaximumWidth(110)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider = None
        if spec.lo is not None and spec.hi is not None:
            self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
            self.slider.setRange(0, SLIDER_TICKS)
            self.slider.valueChanged.connect(self._from_slider)
            layout.addWidget(self.slider, 3)
        layout.addWidget(self.spin, 2)
        self.spin.valueChanged.connect(self._from_spin)

    def _to_tick(self, v: float) -> int:
        lo, hi = self.spec.lo, self.spec.hi
        frac = (math.log(v / lo) / math.log(hi / lo)) if self.log else (v - lo) / ((hi - lo) or 1.0)
        return int(round(min(max(frac, 0.0), 1.0) * SLIDER_TICKS))

    def _from_tick(self, t: int) -> float:
        lo, hi, frac = self.spec.lo, self.spec.hi, t / SLIDER_TICKS
        v = lo * (hi / lo) ** frac if self.log else lo + frac * (hi - lo)
        return float(f"{v:.4g}")

    def _from_slider(self, t: int) -> None:
        self.spin.setValue(self._from_tick(t))

    def _from_spin(self, v: float) -> None:
        if self.slider is not None:
            with QtCore.QSignalBlocker(self.slider):
                self.slider.setValue(self._to_tick(v))
        self.changed.emit(float(v))

    def value(self) -> float:
        return float(self.spin.value())

    def set_value(self, v: float) -> None:
        with QtCore.QSignalBlocker(self.spin):
            self.spin.setValue(v)
        if self.slider is not None:
            with QtCore.QSignalBlocker(self.slider):
                self.slider.setValue(self._to_tick(v))


class IntField(QtWidgets.QSpinBox):
    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.setRange(int(spec.lo) if spec.lo is not None else -(2**31), int(spec.hi) if spec.hi is not None else 2**31 - 1)
        self.setKeyboardTracking(False)
        self.setMaximumWidth(140)
        self.valueChanged.connect(lambda v: self.changed.emit(int(v)))

    def set_value(self, v: int) -> None:
        with QtCore.QSignalBlocker(self):
            self.setValue(int(v))


class BoolField(QtWidgets.QCheckBox):
    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.toggled.connect(lambda v: self.changed.emit(bool(v)))

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, v: bool) -> None:
        with QtCore.QSignalBlocker(self):
            self.setChecked(bool(v))


class ChoiceField(QtWidgets.QComboBox):
    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.spec = spec
        self.addItems([str(c) for c in spec.choices])
        self.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        self.currentIndexChanged.connect(lambda _: self.changed.emit(self.value()))

    def value(self) -> Any:
        return self.spec.choices[self.currentIndex()]

    def set_value(self, v: Any) -> None:
        with QtCore.QSignalBlocker(self):
            self.setCurrentIndex(list(self.spec.choices).index(v))


class TextField(QtWidgets.QLineEdit):
    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.editingFinished.connect(lambda: self.changed.emit(self.text()))

    def value(self) -> str:
        return self.text()

    def set_value(self, v: str) -> None:
        with QtCore.QSignalBlocker(self):
            self.setText(str(v))


class PathField(QtWidgets.QWidget):
    """A text field with "File…" and "Folder…" buttons: a typed name or a path on disk."""

    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.text = TextField(spec)
        self.text.changed.connect(self.changed.emit)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        for label, pick in (("File…", self._pick_file), ("Folder…", self._pick_folder)):
            button = QtWidgets.QPushButton(label)
            button.clicked.connect(pick)
            layout.addWidget(button)

    def _pick_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Choose a file")
        self._chosen(path)

    def _pick_folder(self) -> None:
        self._chosen(QtWidgets.QFileDialog.getExistingDirectory(self, "Choose a folder"))

    def _chosen(self, path: str) -> None:
        if path:
            self.text.set_value(path)
            self.changed.emit(path)

    def value(self) -> str:
        return self.text.value()

    def set_value(self, v: str) -> None:
        self.text.set_value(v)


class ButtonField(QtWidgets.QPushButton):
    """An int field shown as a button: each press adds one (the trainer acts on the change)."""

    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec.help[:1].upper() + spec.help[1:] if spec.help else spec.name)
        self._value = int(spec.default)
        self.clicked.connect(self._press)

    def _press(self) -> None:
        self._value += 1
        self.changed.emit(self._value)

    def value(self) -> int:
        return self._value

    def set_value(self, v: int) -> None:
        self._value = int(v)


def make_field(spec: FieldSpec) -> QtWidgets.QWidget:
    if spec.button and spec.type is int:
        return ButtonField(spec)
    if spec.choices is not None:
        return ChoiceField(spec)
    if spec.path and spec.type is str:
        return PathField(spec)
    return {float: FloatField, int: IntField, bool: BoolField, str: TextField}[spec.type](spec)


class ConfigForm(QtWidgets.QWidget):
    """The form for one config class. ``edited(name, value)`` fires on every user change."""

    edited = QtCore.Signal(str, object)

    def __init__(self, config_cls: type, values: dict[str, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.specs = {s.name: s for s in specs(config_cls)}
        self.fields: dict[str, QtWidgets.QWidget] = {}
        layout = QtWidgets.QFormLayout(self)
        layout.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, spec in self.specs.items():
            field = make_field(spec)
            field.setToolTip(f"{spec.help}{' (live)' if spec.live else ''}")
            field.set_value(values.get(name, spec.default))
            field.changed.connect(lambda v, n=name: self.edited.emit(n, v))
            field.setMinimumWidth(60)
            label = QtWidgets.QLabel(("● " if spec.live else "") + name)
            label.setToolTip(field.toolTip())
            layout.addRow(label, field)
            self.fields[name] = field

    def values(self) -> dict[str, Any]:
        return {name: field.value() for name, field in self.fields.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.fields:
                self.fields[name].set_value(value)

    def lock(self, running: bool) -> None:
        """While a run trains only live fields stay editable (buttons only then make sense)."""
        for name, field in self.fields.items():
            spec = self.specs[name]
            field.setEnabled(spec.live if running else not spec.button)
