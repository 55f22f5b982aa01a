"""Actions: what a person does to a run (a button, a click on a view) as opposed to what it is set to.

A setting lives in the config and persists; an action happens once, at a step. A plugin declares
its actions on its config class::

    @dataclass
    class Config(Schema):
        actions: ClassVar[tuple[Action, ...]] = (
            Action("evaluate", "Evaluate now"),
            Action("paint", "Paint a cell", (payload("col", int, lo=0), payload("row", int, lo=0))),
        )

The run checks each request against its declaration and hands it to the trainer as an
``Event`` at the next yield (``for ev in ctx.events(): ...``). Events are logged apart from
config changes and never become config fields, checkpointed counters or curve markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.config import FieldSpec


def payload(name: str, type: type, default: Any = None, help: str = "", **limits: Any) -> FieldSpec:
    """One typed argument of an action; ``limits`` are FieldSpec's ``lo``, ``hi`` and ``choices``."""
    if default is None:
        default = limits["choices"][0] if limits.get("choices") else type()
    return FieldSpec(name, type, default, help, **limits)


@dataclass(frozen=True)
class Action:
    """A declared action: its name, the label of its button, and its typed payload."""

    name: str
    label: str
    payload: tuple[FieldSpec, ...] = ()
    help: str = ""

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """The payload with defaults filled in; ValueError naming the action and the argument."""
        by_name = {p.name: p for p in self.payload}
        unknown = sorted(set(values) - set(by_name))
        if unknown:
            allowed = ", ".join(by_name) or "none"
            raise ValueError(f"action {self.name!r} has no argument {unknown[0]!r}; allowed: {allowed}")
        out = {}
        for p in self.payload:
            value = values.get(p.name, p.default)
            if p.type is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            try:
                p.check(value)
            except ValueError as exc:
                raise ValueError(f"action {self.name!r}: {exc}") from None
            out[p.name] = value
        return out


@dataclass(frozen=True)
class Event:
    """An action as the trainer receives it: the name, the checked payload and the step it arrived at."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    step: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "action": self.name, "payload": self.payload}


def actions_of(config_cls: Any) -> tuple[Action, ...]:
    """The actions a config class declares (none by default)."""
    cls = config_cls if isinstance(config_cls, type) else type(config_cls)
    return tuple(getattr(cls, "actions", ()))


def find_action(config_cls: Any, name: str) -> Action:
    for action in actions_of(config_cls):
        if action.name == name:
            return action
    known = ", ".join(a.name for a in actions_of(config_cls)) or "none"
    raise ValueError(f"unknown action {name!r}; this plugin has: {known}")
