"""Config schema: one dataclass per plugin, whose field metadata drives sliders, CLI flags,
``config.json`` and validation alike.

A plugin writes::

    @dataclass
    class Config(Schema):
        gamma: float = param(0.99, "discount factor", lo=0.0, hi=1.0, live=True)
        algo: str = param("q-learning", "the update rule", choices=("sarsa", "q-learning"))

Field names follow one vocabulary across plugins: ``env``, ``algo``, ``epsilon``, ``gamma``,
``alpha``, ``lr``, ``tau``, ``batch_size``, ``runs``, ``episodes``, ``steps``, ``seed``, and
``epsilon_schedule``, ``epsilon_end``, ``epsilon_duration``, ``epsilon_decay`` for exploration
schedules. A renamed field keeps loading under its old name (``renamed`` on the class).

A field may apply only under some settings (``when=one_of("algo", "n-step-sarsa")``): forms
hide it, and setting it from the command line says it has no effect. Its default may depend on
another setting (``by_choice("algo", 0.99, {"ppo": 0.98})``): a config built without the field
takes the default of the choice it was built with, and a form moves a field still at one choice's
default to the next one's.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

GROUPS = ("basic", "advanced")
BIG_BYTES = 2**30  # settings that take more memory than this say so


@dataclass(frozen=True)
class Condition:
    """When a field applies: a test on the other settings, and the words that say so."""

    text: str
    test: Callable[[Any], bool]

    def holds(self, values: Any) -> bool:
        """``values``: a config or a dict of field values (a form's, possibly incomplete)."""
        view = types.SimpleNamespace(**values) if isinstance(values, dict) else values
        try:
            return bool(self.test(view))
        except (AttributeError, TypeError, ValueError):
            return True  # the settings it depends on are not there yet: show the field


def one_of(name: str, *values: Any) -> Condition:
    """Applies while field ``name`` holds one of ``values``."""
    shown = values[0] if len(values) == 1 else "one of " + ", ".join(map(str, values))
    return Condition(f"{name} is {shown}", lambda c: getattr(c, name) in values)


@dataclass(frozen=True)
class ByChoice:
    """A default that depends on the value of another field (PPO's discount is not A2C's)."""

    field: str
    otherwise: Any
    by_value: tuple[tuple[Any, Any], ...]

    def under(self, choice: Any) -> Any:
        """The default while ``field`` holds ``choice``."""
        return dict(self.by_value).get(choice, self.otherwise)

    def text(self) -> str:
        """The rule in words, for help texts: "ppo 0.98, others 0.99 (by algo)"."""
        cases = ", ".join(f"{choice} {value!r}" for choice, value in self.by_value)
        return f"{cases}, others {self.otherwise!r} (by {self.field})"


def by_choice(field: str, otherwise: Any, by_value: dict[Any, Any]) -> ByChoice:
    """A field's default: ``by_value[v]`` while field ``field`` holds ``v``, else ``otherwise``."""
    return ByChoice(field, otherwise, tuple(by_value.items()))


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (Linux's MemAvailable), or the total."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def notice(message: str) -> None:
    """A one-line note for the person at the terminal (renamed keys, settings with no effect)."""
    print(f"workbench: note: {message}", file=sys.stderr)


def param(
    default: Any,
    help: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    log: bool = False,
    live: bool = False,
    choices: tuple[Any, ...] | None = None,
    path: bool = False,
    when: Condition | None = None,
    group: str = "basic",
) -> Any:
    """A config field with its range, scale, choices and whether it may change while training.
    ``default`` may be a ``by_choice`` rule.

    ``path=True`` on a str field adds "File…" and "Folder…" buttons (a dataset name can still
    be typed). ``when`` says under which settings the field has an effect; ``group`` is
    "basic" or "advanced" (folded in forms).
    """
    if group not in GROUPS:
        raise ValueError(f"group {group!r} is not one of: {', '.join(GROUPS)}")
    meta = {
        "help": help,
        "lo": lo,
        "hi": hi,
        "log": log,
        "live": live,
        "choices": choices,
        "path": path,
        "when": when,
        "group": group,
    }
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
    choices: tuple[Any, ...] | None = None
    path: bool = False
    when: Condition | None = None
    group: str = "basic"
    rule: ByChoice | None = None  # where the default depends on another field: ``default`` is the class's

    METADATA: ClassVar[tuple[str, ...]] = ("help", "lo", "hi", "log", "live", "choices", "path", "when", "group")

    def applies(self, values: Any) -> bool:
        """Whether this field has an effect under ``values`` (a config or a dict of values)."""
        return self.when is None or self.when.holds(values)

    def default_under(self, values: Any) -> Any:
        """The default under ``values`` (a config or a dict of values, possibly incomplete)."""
        if self.rule is None:
            return self.default
        if isinstance(values, dict):
            return self.rule.under(values[self.rule.field]) if self.rule.field in values else self.default
        return self.rule.under(getattr(values, self.rule.field))

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
            number = float(value)  # type: ignore[arg-type]  # an int or float: checked above
            if (self.lo is not None and number < self.lo) or (self.hi is not None and number > self.hi):
                raise ValueError(f"{self.name}={value!r} is outside [{self.lo}, {self.hi}]")


_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def specs(cls_or_cfg: Any) -> list[FieldSpec]:
    """The field specs of a config class or instance, in declaration order."""
    cls = cls_or_cfg if isinstance(cls_or_cfg, type) else type(cls_or_cfg)
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    plain = {f.name: f.default for f in fields}
    out = []
    for f in fields:
        kind = hints[f.name]
        if kind not in _TYPES.values():
            raise TypeError(f"config field {cls.__name__}.{f.name} has unsupported type {kind!r}")
        meta: dict[str, Any] = {k: f.metadata.get(k) for k in FieldSpec.METADATA}
        default, rule = f.default, None
        if isinstance(default, ByChoice):
            rule, default = default, default.under(plain[default.field])
        out.append(FieldSpec(f.name, kind, default, rule=rule, **{k: v for k, v in meta.items() if v is not None}))
    return out


class Schema:
    """Base for plugin configs: checks every field on construction, then the plugin's ``check``.

    ``renamed`` maps old field names to new ones, so saved configs, settings and checkpoints
    written under the old names still load.
    """

    renamed: ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        for spec in specs(self):
            value = getattr(self, spec.name)
            if isinstance(value, ByChoice):  # not given: the default of the choice given
                value = value.under(getattr(self, value.field))
                object.__setattr__(self, spec.name, value)
            if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, spec.name, float(value))
            spec.check(getattr(self, spec.name))
        self.check()
        needed = self.memory_needed()
        if needed is not None and needed[0] > available_memory():
            raise ValueError(
                f"these settings need about {needed[0] / 2**30:.1f} GiB for {needed[1]}, more than the "
                f"{available_memory() / 2**30:.1f} GiB of memory available; make them smaller"
            )
        if needed is not None and needed[0] > BIG_BYTES:
            notice(f"these settings take about {needed[0] / 2**30:.1f} GiB of memory for {needed[1]}")

    def check(self) -> None:
        """Cross-field checks; raise ValueError with a message a user can act on."""

    def memory_needed(self) -> tuple[int, str] | None:
        """Bytes the largest allocations of a run with these settings take, and what they are;
        settings that cannot fit in this machine's memory are refused up front."""
        return None


def to_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def non_defaults(by_name: dict[str, FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    """The ``values`` that differ from their field's default under ``values`` (keys of no field
    kept): what a run, a sweep or a person changed, while the rest follows the defaults."""
    return {k: v for k, v in values.items() if k not in by_name or by_name[k].default_under(values) != v}


def migrate(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with renamed keys under their new names, each rename noted in one line."""
    renamed = getattr(cls, "renamed", {})
    out = {}
    for key, value in values.items():
        new = renamed.get(key)
        if new is not None:
            notice(f"{key!r} is now called {new!r}; the saved value is used")
            if new in values:
                continue  # the new name was saved too: it wins
            key = new
        out[key] = value
    return out


def from_dict(cls: type, values: dict[str, Any]) -> Any:
    """Build a config from saved values (old names migrated), rejecting keys the schema does not know."""
    values = migrate(cls, values)
    known = {s.name for s in specs(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown config key {unknown[0]!r}; allowed: {', '.join(sorted(known))}")
    return cls(**values)


RESUMABLE = (
    "steps",
    "episodes",
    "epochs",
    "max_sweeps",
    "threads",
    "eval_every",
    "eval_episodes",
    "view_every",
    "render",
    "lens_every",
    "checkpoint_every",
)


def resume_conflicts(cls: type, saved: dict[str, Any], cfg: Any) -> list[str]:
    """Fields a checkpoint cannot be resumed with as changed: neither live nor a budget or
    display setting (``RESUMABLE``, or the class's own ``resumable``)."""
    saved = migrate(cls, saved)
    resumable = set(getattr(cls, "resumable", RESUMABLE))
    return [
        s.name
        for s in specs(cls)
        if not s.live and s.name not in resumable and s.name in saved and saved[s.name] != getattr(cfg, s.name)
    ]


def parse_sets(cls: type, assignments: list[str], base: dict[str, Any] | None = None) -> Any:
    """Build a config from ``key=value`` strings (the CLI's ``--set``) over ``base`` values."""
    by_name = {s.name: s for s in specs(cls)}
    values = migrate(cls, dict(base or {}))
    renamed = getattr(cls, "renamed", {})
    for item in assignments:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"--set {item!r} must look like key=value")
        if key in renamed:
            notice(f"{key!r} is now called {renamed[key]!r}")
            key = renamed[key]
        if key not in by_name:
            raise ValueError(f"unknown config key {key!r}; allowed: {', '.join(by_name)}")
        values[key] = by_name[key].parse(text)
    cfg = from_dict(cls, values)
    for key in dict.fromkeys(item.partition("=")[0].strip() for item in assignments):
        spec = by_name.get(renamed.get(key, key))
        if spec is not None and spec.when is not None and not spec.applies(cfg):
            notice(f"{spec.name} has no effect unless {spec.when.text}")
    return cfg


def apply_live(cfg: Any, changes: dict[str, Any]) -> Any:
    """Return ``cfg`` with ``changes`` applied; only fields marked ``live`` may change."""
    by_name = {s.name: s for s in specs(cfg)}
    for key in changes:
        if key not in by_name:
            raise ValueError(f"unknown config key {key!r}; allowed: {', '.join(by_name)}")
        if not by_name[key].live:
            raise ValueError(f"{key!r} cannot change while training; restart the run to change it")
    return dataclasses.replace(cfg, **changes)
