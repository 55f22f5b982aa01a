"""Optimiser race settings: the surface, the shared live sliders, the tolerance, playback speed,
and the start point (moved by a click on the plane)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action, payload
from workbench.core.config import Schema, param

SURFACE_NAMES = ("rosenbrock", "beale", "saddle", "ill-conditioned", "noisy-quadratic")


@dataclass
class Config(Schema):
    surface: str = param("rosenbrock", "the 2-D function the optimisers descend", choices=SURFACE_NAMES)
    lr: float = param(
        1e-3,
        "learning rate of SGD, momentum and Nesterov (their step is lr times the gradient)",
        lo=1e-5,
        hi=1.0,
        log=True,
        live=True,
    )
    adaptive_lr: float = param(
        0.05,
        "learning rate of RMSProp, Adagrad, Adam and AdamW (their step is about lr "
        "per coordinate, whatever the gradient's scale)",
        lo=1e-5,
        hi=1.0,
        log=True,
        live=True,
    )
    momentum: float = param(0.9, "momentum of the momentum and Nesterov methods", lo=0.0, hi=0.99, live=True)
    beta1: float = param(0.9, "Adam and AdamW: decay of the running mean of gradients", lo=0.0, hi=0.999, live=True)
    beta2: float = param(
        0.999, "Adam and AdamW: decay of the running mean of squared gradients", lo=0.0, hi=0.9999, live=True
    )
    weight_decay: float = param(
        0.0,
        "weight decay of every method (AdamW decays the weights directly; the "
        "others add it to the gradient, so with 0 AdamW runs exactly as Adam)",
        lo=0.0,
        hi=1.0,
        live=True,
    )
    tol: float = param(
        0.1, "a method has arrived once it is this close to a minimum (plane units)", lo=1e-4, hi=1.0, log=True
    )
    steps: int = param(2000, "steps of the race (a new start begins a new race of as many steps)", lo=1, hi=1_000_000)
    steps_per_s: float = param(
        100.0, "playback speed: race steps per second (0: as fast as possible)", lo=0.0, hi=10_000.0, live=True
    )
    hidden: int = param(64, "hidden units of the MLP raced on the digits", lo=4, hi=1024)
    batch_size: int = param(64, "digits per MLP step", lo=1, hi=1797)
    seed: int = param(0, "random seed (MLP weights, its batches, the noisy surface's noise)", lo=0)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")

    actions: ClassVar[tuple[Action, ...]] = (
        Action(
            "start",
            "Start the race here",
            (
                payload("x", float, 0.0, "x of the start", lo=-100.0, hi=100.0),
                payload("y", float, 0.0, "y of the start", lo=-100.0, hi=100.0),
            ),
            help="restart every optimiser from this point of the plane (a click on the plane does it)",
        ),
    )
