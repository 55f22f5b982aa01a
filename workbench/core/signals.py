"""Ending headless work cleanly on SIGTERM (a job scheduler) or Ctrl+C: the work is asked to
stop at its next step, and a second Ctrl+C interrupts at once."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def run_until_signalled(work: Callable[[], T], stop: Callable[[], None]) -> tuple[T, list[int]]:
    """``work()`` with SIGTERM and SIGINT calling ``stop()``; its result and the signals that came.
    Call it from the main thread; the handlers in place before are put back after."""
    came: list[int] = []

    def handler(signum: int, _frame: Any) -> None:
        came.append(signum)
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl+C does not wait
        stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return work(), came
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
