"""Test helpers: drive a trainer generator by hand, as the run driver would, and stop and resume a run."""

from __future__ import annotations

import dataclasses
import threading

from workbench.core.driver import Run, RunContext
from workbench.core.manifest import find
from workbench.core.sinks import HistorySink


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


def resumed_steps(plugin_id: str, cfg, out, stop_at: int, key: str = "loss") -> list[int]:
    """Run ``cfg`` for ``stop_at`` steps, then resume it from its checkpoint to the end; the
    steps at which ``key`` was logged after the resume."""
    first = Run(find(plugin_id), cfg, device="cpu", out_dir=out, max_steps=stop_at, on_nonfinite="stop")
    assert first.run().step == stop_at
    history = HistorySink()
    second = Run(find(plugin_id), cfg, device="cpu", out_dir=out, sinks=[history], resume=out, on_nonfinite="stop")
    assert second.run().state == "finished", second.error
    return history.read(key)[0].tolist()
