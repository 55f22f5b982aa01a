"""The seven optimisers, torch.optim's own, built from one config and kept in step with its live
sliders: each method takes only the settings it has (plain SGD has no momentum, only Adam and
AdamW have betas), so a slider changes every optimiser it means something to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

METHODS = ("SGD", "Momentum", "Nesterov", "RMSProp", "Adagrad", "Adam", "AdamW")
ADAPTIVE = ("RMSProp", "Adagrad", "Adam", "AdamW")  # steps scaled per coordinate: they take adaptive_lr
_CLASSES = {
    "SGD": torch.optim.SGD,
    "Momentum": torch.optim.SGD,
    "Nesterov": torch.optim.SGD,
    "RMSProp": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
}


def settings(method: str, cfg: Any) -> dict[str, Any]:
    """The param_group values ``method`` takes from the config's sliders."""
    out: dict[str, Any] = {"lr": cfg.adaptive_lr if method in ADAPTIVE else cfg.lr, "weight_decay": cfg.weight_decay}
    if method in ("Momentum", "Nesterov"):
        out["momentum"] = cfg.momentum
    if method == "Nesterov":
        out["nesterov"] = cfg.momentum > 0  # torch refuses Nesterov without momentum; at 0 it is plain SGD
    if method in ("Adam", "AdamW"):
        out["betas"] = (cfg.beta1, cfg.beta2)
    return out


def make(method: str, params: Iterable[torch.Tensor], cfg: Any) -> torch.optim.Optimizer:
    return _CLASSES[method](params, **settings(method, cfg))


def apply(optimizer: torch.optim.Optimizer, method: str, cfg: Any) -> None:
    """Move a running optimiser's param_groups to the config's current slider values."""
    for group in optimizer.param_groups:
        group.update(settings(method, cfg))
