"""Test helpers: drive a trainer generator by hand, as the run driver would, and stop and resume a run."""

from __future__ import annotations

import dataclasses
import threading

from workbench.core.actions import Event, find_action
from workbench.core.driver import Run, RunContext
from workbench.core.manifest import find
from workbench.core.sinks import HistorySink


def collect(train, cfg, changes: dict | None = None, actions: tuple = ()) -> list:
    """Every snapshot of ``train(cfg)``, driven as the run driver does: after the second,
    ``changes`` land as a live change and ``actions`` ((name, payload) pairs) as events."""
    ctx = RunContext(cfg, "cpu", None, None, threading.Event())
    gen = train(cfg, ctx)
    snaps = [next(gen)]
    try:
        while True:
            if len(snaps) == 2:
                if changes:
                    ctx.config = dataclasses.replace(cfg, **changes)
                for name, payload in actions:
                    ctx.deliver(Event(name, find_action(cfg, name).check(payload), snaps[-1].step))
            snaps.append(next(gen))
    except StopIteration:
        return snaps


def resumed_steps(plugin_id: str, cfg, out, stop_at: int, key: str = "loss") -> list[int]:
    """Run ``cfg`` for ``stop_at`` steps, then resume it from its checkpoint to the end; the
    steps at which ``key`` was logged after the resume."""
    first = Run(find(plugin_id), cfg, device="cpu", out_dir=out, max_steps=stop_at, on_nonfinite="stop")
    assert first.run().step == stop_at
    history = HistorySink()
    second = Run(find(plugin_id), cfg, device="cpu", out_dir=out, sinks=[history], resume_from=out, on_nonfinite="stop")
    assert second.run().state == "finished", second.error
    return history.read(key)[0].tolist()
