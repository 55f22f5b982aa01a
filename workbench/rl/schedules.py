"""Exploration schedules: epsilon (or any rate) as a function of the step (seed 004's slides).

All take the step ``t`` and return a value between ``end`` and ``start``.
"""

from __future__ import annotations

import math
from typing import Any

SCHEDULES = ("constant", "linear", "exponential", "sinusoidal")


def linear(start: float, end: float, duration: int, t: int) -> float:
    """From ``start`` to ``end`` in a straight line over ``duration`` steps, then flat."""
    if duration <= 0:
        return end
    return start + (end - start) * min(t / duration, 1.0)


def exponential(start: float, end: float, decay: float, t: int) -> float:
    """``end + (start - end) * exp(-decay * t)``: the seed's "min + (max - min) e^(-rate t)"."""
    return end + (start - end) * math.exp(-decay * t)


def sinusoidal(start: float, end: float, duration: int, t: int, cycles: float = 4.0) -> float:
    """Linear decay with a cosine ripple on top, so exploration comes back in waves."""
    base = linear(start, end, duration, t)
    ripple = 0.5 * (1.0 + math.cos(2.0 * math.pi * cycles * min(t / max(duration, 1), 1.0)))
    return end + (base - end) * ripple


def schedule(kind: str, start: float, end: float, duration: int, decay: float, t: int) -> float:
    """The value of schedule ``kind`` at step ``t``; ``duration`` for linear and sinusoidal,
    ``decay`` (per step) for exponential."""
    if kind == "constant":
        return start
    if kind == "linear":
        return linear(start, end, duration, t)
    if kind == "exponential":
        return exponential(start, end, decay, t)
    if kind == "sinusoidal":
        return sinusoidal(start, end, duration, t)
    raise ValueError(f"schedule {kind!r} is not one of: {', '.join(SCHEDULES)}")


def epsilon_at(cfg: object, t: int) -> float:
    """Epsilon at ``t`` under a config's ``epsilon``, ``epsilon_end``, ``epsilon_schedule``,
    ``epsilon_duration`` and ``epsilon_decay`` fields: the same names in every plugin."""
    c: Any = cfg
    return schedule(c.epsilon_schedule, c.epsilon, c.epsilon_end, c.epsilon_duration, c.epsilon_decay, t)
