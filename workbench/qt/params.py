"""A config form built from a plugin's schema: sliders (log-scaled for rates), spin boxes,
drop-downs and check boxes. Fields not marked live lock while a run trains; fields that do not
apply to the other settings are hidden; advanced fields fold away.

A field reports a change once it is committed: a slider on release, a typed number on Enter.
One drag is one live change, and one mark on the curves.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.core.config import FieldSpec, specs

SLIDER_TICKS = 1000
SPIN_ARROWS_WIDTH = 28  # px: a spin box's arrows and frame beside its text
SLIDER_MIN_WIDTH = 64  # px: narrower, a slider cannot be dragged (a narrow form shrank them to squares)


class _WheelOnlyWhenFocused(QtCore.QObject):
    """Lets the mouse wheel scroll the form instead of turning whatever input is under it."""

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Wheel and isinstance(obj, QtWidgets.QWidget) and not obj.hasFocus():
            event.ignore()
            return True
        return False


WHEEL_GUARD = _WheelOnlyWhenFocused()


def guard_wheel(widget: QtWidgets.QWidget) -> None:
    widget.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(WHEEL_GUARD)


class CompactSpinBox(QtWidgets.QDoubleSpinBox):
    """Shows a value without trailing zeros ("0.002", not "0.002000"), so it reads whole in a
    narrow form; typing keeps all the box's decimals."""

    def textFromValue(self, value: float) -> str:  # Qt override
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class FloatField(QtWidgets.QWidget):
    """A slider beside a spin box; the slider is log-scaled when the field says so, and commits
    its value when released (the spin box follows it while dragging)."""

    changed = QtCore.Signal(object)

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.spec = spec
        lo = spec.lo if spec.lo is not None else -1e9
        hi = spec.hi if spec.hi is not None else 1e9
        self.log = spec.log and lo > 0
        self.spin = CompactSpinBox(decimals=6 if self.log or hi - lo < 10 else 3)
        self.spin.setRange(lo, hi)
        self.spin.setSingleStep((hi - lo) / 100 if spec.lo is not None and spec.hi is not None else 0.1)
        self.spin.setKeyboardTracking(False)
        self.spin.setMaximumWidth(110)
        # room for a value such as 0.000015 whole: the slider takes what the form has left
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance("0.000000") + SPIN_ARROWS_WIDTH)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider = None
        if spec.lo is not None and spec.hi is not None:
            self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
            self.slider.setRange(0, SLIDER_TICKS)
            self.slider.setMinimumWidth(SLIDER_MIN_WIDTH)
            self.slider.valueChanged.connect(self._from_slider)
            self.slider.sliderReleased.connect(lambda: self.changed.emit(self.value()))
            guard_wheel(self.slider)
            layout.addWidget(self.slider, 3)
        layout.addWidget(self.spin, 2)
        guard_wheel(self.spin)
        self.spin.valueChanged.connect(self._from_spin)
        self.setMinimumWidth(self.minimumSizeHint().width())  # the slider and the value, both usable

    def _range(self) -> tuple[float, float]:
        """The slider's ends (a slider exists only for a field with both)."""
        assert self.spec.lo is not None and self.spec.hi is not None
        return self.spec.lo, self.spec.hi

    def _to_tick(self, v: float) -> int:
        lo, hi = self._range()
        frac = (math.log(v / lo) / math.log(hi / lo)) if self.log else (v - lo) / ((hi - lo) or 1.0)
        return int(round(min(max(frac, 0.0), 1.0) * SLIDER_TICKS))

    def _from_tick(self, t: int) -> float:
        (lo, hi), frac = self._range(), t / SLIDER_TICKS
        v = lo * (hi / lo) ** frac if self.log else lo + frac * (hi - lo)
        return float(f"{v:.4g}")

    def _from_slider(self, t: int) -> None:
        with QtCore.QSignalBlocker(self.spin):
            self.spin.setValue(self._from_tick(t))
        if self.slider is not None and not self.slider.isSliderDown():  # a click on the groove or a key: at once
            self.changed.emit(self.value())

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
        self.setRange(
            int(spec.lo) if spec.lo is not None else -(2**31), int(spec.hi) if spec.hi is not None else 2**31 - 1
        )
        self.setKeyboardTracking(False)
        self.setMaximumWidth(140)
        guard_wheel(self)
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
        assert spec.choices is not None
        self.spec, self.choices = spec, spec.choices
        self.addItems([str(c) for c in self.choices])
        self.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        guard_wheel(self)
        self.currentIndexChanged.connect(lambda _: self.changed.emit(self.value()))

    def value(self) -> Any:
        return self.choices[self.currentIndex()]

    def set_value(self, v: Any) -> None:
        with QtCore.QSignalBlocker(self):
            self.setCurrentIndex(list(self.choices).index(v))


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


Field = Any  # one of the field widgets above: each has value(), set_value() and a ``changed`` signal


def make_field(spec: FieldSpec) -> Field:
    if spec.choices is not None:
        return ChoiceField(spec)
    if spec.path and spec.type is str:
        return PathField(spec)
    return {float: FloatField, int: IntField, bool: BoolField, str: TextField}[spec.type](spec)


def labelled(spec: FieldSpec, value: Any) -> tuple[QtWidgets.QLabel, Field]:
    """A field for ``spec`` holding ``value``, and its label (● marks a field that may change live)."""
    field = make_field(spec)
    field.setToolTip(f"{spec.help}{' (live)' if spec.live else ''}")
    field.set_value(value)
    field.setMinimumWidth(max(field.minimumWidth(), 60))  # combos and texts may shrink; a slider's row may not
    label = QtWidgets.QLabel(("● " if spec.live else "") + spec.name)
    label.setToolTip(field.toolTip())
    return label, field


class ConfigForm(QtWidgets.QWidget):
    """The form for one config class. ``edited(name, value)`` fires on every committed change.

    Basic fields come first; advanced ones fold under a toggle. A field whose ``when`` does not
    hold under the form's other values is hidden, and shows again when it applies.
    """

    edited = QtCore.Signal(str, object)

    def __init__(self, config_cls: type, values: dict[str, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.specs = {s.name: s for s in specs(config_cls)}
        self.fields: dict[str, Field] = {}
        self.effective: dict[str, QtWidgets.QLabel] = {}
        self._layouts: dict[str, QtWidgets.QFormLayout] = {}
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        basic = QtWidgets.QFormLayout()
        self.advanced_box = QtWidgets.QWidget()
        advanced = QtWidgets.QFormLayout(self.advanced_box)
        advanced.setContentsMargins(0, 0, 0, 0)
        for form in (basic, advanced):
            form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, spec in self.specs.items():
            label, field = labelled(spec, values.get(name, spec.default_under(values)))
            field.changed.connect(lambda v, n=name: self._changed(n, v))
            form = advanced if spec.group == "advanced" else basic
            form.addRow(label, self._with_effective(name, field))
            self.fields[name], self._layouts[name] = field, form
        self.advanced_toggle = QtWidgets.QToolButton()
        self.advanced_toggle.setText("Advanced settings")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(QtCore.Qt.ArrowType.RightArrow)
        self.advanced_toggle.toggled.connect(self._fold)
        outer.addLayout(basic)
        outer.addWidget(self.advanced_toggle)
        outer.addWidget(self.advanced_box)
        self.advanced_toggle.setVisible(advanced.rowCount() > 0)
        self._fold(False)
        self._show_applicable()
        self._shown = self.values()  # what the fields held before the latest edit

    def _with_effective(self, name: str, field: QtWidgets.QWidget) -> QtWidgets.QWidget:
        """The field over a label that shows the value in effect when a schedule moves it: under
        it, not beside it, so the field keeps its width (beside it, epsilon's slider shrank to a
        square and its value to "1.0" at 1366x768)."""
        box = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(field)
        effective = QtWidgets.QLabel()
        effective.setToolTip("the value in effect now (a schedule moves it)")
        effective.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        effective.hide()
        column.addWidget(effective)
        self.effective[name] = effective
        return box

    def _fold(self, open_: bool) -> None:
        self.advanced_box.setVisible(open_)
        self.advanced_toggle.setArrowType(QtCore.Qt.ArrowType.DownArrow if open_ else QtCore.Qt.ArrowType.RightArrow)

    def _changed(self, name: str, value: Any) -> None:
        before = self._shown
        self._show_applicable()
        self.edited.emit(name, value)
        for other, default in self._follow_defaults(before):  # said as edits, as a person's would be
            self.edited.emit(other, default)

    def _follow_defaults(self, before: dict[str, Any], keep: Collection[str] = ()) -> list[tuple[str, Any]]:
        """Fields whose default depends on a field changed since ``before`` and that still held the
        default of its old value move to the default of its new one (choosing A2C brings A2C's
        discount); a value a person set stays, and so do those in ``keep``. Returns those moved."""
        now, moved = self.values(), []
        for name, spec in self.specs.items():
            rule = spec.rule
            if rule is None or name in keep or before[rule.field] == now[rule.field]:
                continue
            default = spec.default_under(now)
            if before[name] == spec.default_under(before) and default != now[name]:
                self.fields[name].set_value(default)
                moved.append((name, default))
        self._shown = self.values()
        return moved

    def _show_applicable(self) -> None:
        values = self.values()
        for name, form in self._layouts.items():
            form.setRowVisible(self.fields[name].parentWidget(), self.specs[name].applies(values))

    def take_row(self, name: str) -> QtWidgets.QWidget:
        """Field ``name`` out of the form, for a panel to place where it is used (the play speed
        beside the keys); its edits still reach ``edited`` and ``values()``."""
        row = self._layouts.pop(name).takeRow(self.fields[name].parentWidget())
        label = row.labelItem.widget()
        label.hide()  # until deleted, it would still paint where the row was
        label.deleteLater()
        return row.fieldItem.widget()

    def applies(self, name: str) -> bool:
        """Whether the field shows: it has an effect under the form's other values."""
        return self.specs[name].applies(self.values())

    def show_effective(self, name: str, value: float | None) -> None:
        """Show ``value`` beside field ``name`` as the one in effect (None hides it)."""
        label = self.effective[name]
        label.setVisible(value is not None)
        if value is not None:
            label.setText(f"now {value:.3g}")

    def values(self) -> dict[str, Any]:
        return {name: field.value() for name, field in self.fields.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.fields:
                self.fields[name].set_value(value)
        self._follow_defaults(self._shown, keep=values)
        self._show_applicable()

    def lock(self, running: bool) -> None:
        """While a run trains only live fields stay editable."""
        for name, field in self.fields.items():
            field.setEnabled(self.specs[name].live or not running)
