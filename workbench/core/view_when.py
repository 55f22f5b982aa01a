"""The ``when`` condition of a view: ``field op literal`` clauses joined by ``and``, read
without ``eval`` and checked against a run's config (``runs > 1 and env == "CartPole-v1"``)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_CLAUSE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$")

Clause = tuple[str, str, Any]


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is no number, quoted string, true or false") from None


def parse_condition(text: str) -> list[Clause]:
    """The clauses of ``text``.

    Raises:
        ValueError: quoting the clause that is not ``field op literal``.

    Example:
        >>> parse_condition('runs > 1 and env == "CartPole-v1"')
        [('runs', '>', 1), ('env', '==', 'CartPole-v1')]
    """
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        m = _CLAUSE.match(part)
        if m is None:
            raise ValueError(f"condition {text!r}: {part!r} is not `field op literal` (op: {' '.join(OPERATORS)})")
        try:
            clauses.append((m.group(1), m.group(2), _literal(m.group(3))))
        except ValueError as exc:
            raise ValueError(f"condition {text!r}: {exc}") from None
    return clauses


def holds(text: str, config: Mapping[str, Any]) -> bool:
    """Whether ``config`` (field -> value) satisfies the condition ``text``; an empty one always holds.

    Raises:
        ValueError: naming a field the config does not have.
    """
    if not text.strip():
        return True
    for name, op, value in parse_condition(text):
        if name not in config:
            raise ValueError(f"condition {text!r} names {name!r}, which the config does not have")
        try:
            if not OPERATORS[op](config[name], value):
                return False
        except TypeError:
            raise ValueError(f"condition {text!r}: cannot compare {name} = {config[name]!r} with {value!r}") from None
    return True
