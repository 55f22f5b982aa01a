"""Choosing the torch device; torch is imported only when a run asks."""

from __future__ import annotations

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> str:
    """``auto`` picks CUDA when present, else CPU; asking for CUDA without one is an error."""
    if name not in DEVICES:
        raise ValueError(f"device {name!r} is not one of: {', '.join(DEVICES)}")
    if name == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if name == "cuda":
        raise ValueError("device 'cuda' was asked for but torch sees no CUDA GPU; use auto or cpu")
    return "cpu"
