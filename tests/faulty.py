"""A tiny plugin whose trainer misbehaves on purpose, for testing how runs end, and a waiting helper."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from workbench.core.actions import Action, payload
from workbench.core.config import Schema, param
from workbench.core.manifest import Manifest, ViewSpec
from workbench.core.snapshot import Snapshot


@dataclass
class Config(Schema):
    mode: str = param("ok", "how to misbehave", choices=("ok", "raise", "nan", "slow", "big", "odd"))
    steps: int = param(50, "steps before the end (or the fault)", lo=1)
    rate: float = param(1.0, "a live value", lo=0.0, hi=10.0, live=True)
    seed: int = param(0, "seed", lo=0)

    actions: ClassVar[tuple[Action, ...]] = (
        Action("bump", "Bump the total", (payload("by", float, 1.0, "how much", lo=0.0, hi=100.0),)),
    )


def train(cfg: Config, ctx):
    state = {"step": 0, "total": 0.0}
    if ctx.resume is not None:
        state["step"] = int(ctx.resume["step"])
    ctx.keep_state(lambda: dict(state))
    while cfg.mode in ("slow", "odd") or state["step"] < cfg.steps:
        state["step"] += 1
        step = state["step"]
        if cfg.mode in ("slow", "odd"):
            time.sleep(0.02)
        ctx.checkpoint_ok = cfg.mode != "odd" or step % 4 == 0  # "odd": only every fourth step is a safe point
        loss = float("nan") if cfg.mode == "nan" and step == cfg.steps else 1.0 / step
        # "big": an image larger than a pipe's buffer with every step
        arrays = {"image": np.full((1024, 1024), step, dtype=np.float32)} if cfg.mode == "big" else {}
        scalars = {"loss": loss, "rate": cfg.rate, "total": state["total"]}
        yield Snapshot(step, scalars=scalars, arrays=arrays, progress=step / cfg.steps)
        cfg = ctx.config
        state["total"] += sum(event.payload["by"] for event in ctx.events() if event.name == "bump")
    if cfg.mode == "raise":
        raise RuntimeError("the trainer broke on purpose")


def wait_for(cond, timeout: float = 20.0) -> bool:
    """Poll ``cond`` until it holds (True) or ``timeout`` seconds pass (False)."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


MANIFEST = Manifest(
    id="faulty",
    title="Faulty",
    category="Test",
    description="misbehaves on purpose",
    package="faulty",
    config="faulty:Config",
    trainer="faulty:train",
    views=(ViewSpec("curve", ("loss",), "loss"),),
)
