"""Config schema: one dataclass per plugin, whose field metadata drives sliders, CLI flags,
``config.json`` and validation alike.

A plugin writes::

    @dataclass
    class Config(Schema):
        gamma: float = param(0.99, "discount factor", lo=0.0, hi=1.0, live=True)
        algo: str = param("q-learning", "the update rule", choices=("sarsa", "q-learning"))

Field names follow one vocabulary across plugins: ``env``, ``algo``, ``epsilon``, ``gamma``,
``alpha``, ``lr``, ``tau``, ``batch_size``, ``runs``, ``episodes``, ``steps``, ``seed``.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any


def param(
    default: Any,
    help: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    log: bool = False,
    live: bool = False,
    choices: tuple | None = None,
    button: bool = False,
    path: bool = False,
) -> Any:
    """A config field with its range, scale, choices and whether it may change while training.

    ``button=True`` on an int field shows a button that adds one to it: the trainer acts when
    the value changes ("evaluate now", "record next episode"). ``path=True`` on a str field
    adds a "Browse…" button for a file or folder (a dataset name can still be typed).
    """
    meta = {"help": help, "lo": lo, "hi": hi, "log": log, "live": live, "choices": choices, "button": button,
            "path": path}
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class FieldSpec:
    """Everything a slider, a CLI flag or a validator needs to know about one field."""

    name: str
    type: type
    default: Any
    help: str = ""
    lo: float | None = None
    hi: float | None = None
    log: bool = False
    live: bool = False
    choices: tuple | None = None
    button: bool = False
    path: bool = False

    def parse(self, text: str) -> Any:
        """Turn command-line text into a value of this field's type."""
        try:
            if self.type is bool:
                low = text.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            return self.type(text)
        except ValueError:
            raise ValueError(f"{self.name}={text!r} is not a valid {self.type.__name__}") from None

    def check(self, value: Any) -> None:
        """Raise ValueError naming the field and the allowed values when ``value`` is not one."""
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise ValueError(f"{self.name}={value!r} must be a {self.type.__name__}")
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise ValueError(f"{self.name}={value!r} is not one of: {allowed}")
        if self.type in (int, float):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{self.name}={value!r} must be finite")
            if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
                raise ValueError(f"{self.name}={value!r} is outside [{self.lo}, {self.hi}]")


_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def specs(cls_or_cfg: Any) -> list[FieldSpec]:
    """The field specs of a config class or instance, in declaration order."""
    cls = cls_or_cfg if isinstance(cls_or_cfg, type) else type(cls_or_cfg)
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        if kind not in _TYPES.values():
            raise TypeError(f"config field {cls.__name__}.{f.name} has unsupported type {kind!r}")
        meta = {k: f.metadata.get(k) for k in ("help", "lo", "hi", "log", "live", "choices", "button", "path")}
        meta = {k: v for k, v in meta.items() if v is not None}
        out.append(FieldSpec(f.name, kind, f.default, **meta))
    return out


class Schema:
    """Base for plugin configs: checks every field on construction, then the plugin's ``check``."""

    def __post_init__(self) -> None:
        for spec in specs(self):
            value = getattr(self, spec.name)
            if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, spec.name, float(value))
            spec.check(getattr(self, spec.name))
        self.check()

    def check(self) -> None:
        """Cross-field checks; raise ValueError with a message a user can act on."""


def to_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def from_dict(cls: type, values: dict[str, Any]) -> Any:
    """Build a config from saved values, rejecting keys the schema does not know."""
    known = {s.name for s in specs(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown config key {unknown[0]!r}; allowed: {', '.join(sorted(known))}")
    return cls(**values)


def parse_sets(cls: type, assignments: list[str], base: dict[str, Any] | None = None) -> Any:
    """Build a config from ``key=value`` strings (the CLI's ``--set``) over ``base`` values."""
    by_name = {s.name: s for s in specs(cls)}
    values = dict(base or {})
    for item in assignments:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"--set {item!r} must look like key=value")
        if key not in by_name:
            raise ValueError(f"unknown config key {key!r}; allowed: {', '.join(by_name)}")
        values[key] = by_name[key].parse(text)
    return from_dict(cls, values)


def apply_live(cfg: Any, changes: dict[str, Any]) -> Any:
    """Return ``cfg`` with ``changes`` applied; only fields marked ``live`` may change."""
    by_name = {s.name: s for s in specs(cfg)}
    for key in changes:
        if key not in by_name:
            raise ValueError(f"unknown config key {key!r}; allowed: {', '.join(by_name)}")
        if not by_name[key].live:
            raise ValueError(f"{key!r} cannot change while training; restart the run to change it")
    return dataclasses.replace(cfg, **changes)
