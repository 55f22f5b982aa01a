"""Test helper: drive a trainer generator by hand, as the run driver would."""

from __future__ import annotations

import dataclasses
import threading

from workbench.core.driver import RunContext


def collect(train, cfg, changes: dict | None = None) -> list:
    """Every snapshot of ``train(cfg)``; ``changes`` are sent as a live change after the second."""
    gen = train(cfg, RunContext("cpu", None, None, threading.Event()))
    snaps = [next(gen)]
    try:
        while True:
            new = dataclasses.replace(cfg, **changes) if changes and len(snaps) == 2 else None
            snaps.append(gen.send(new))
    except StopIteration:
        return snaps
