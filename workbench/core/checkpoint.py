"""Checkpoints: a trainer's state (state dicts, step, RNG states) plus its config, written
atomically and loaded with ``weights_only=True`` so a file can never run code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 1
CHECKPOINT_NAME = "checkpoint.pt"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used, with the reason in words."""


def _tensorise(obj: Any) -> Any:
    """numpy arrays become tensors (weights_only loading refuses numpy objects)."""
    import torch

    if isinstance(obj, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(obj))
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _tensorise(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_tensorise(v) for v in obj)
    return obj


def save_checkpoint(
    path: str | Path, state: dict[str, Any], plugin_id: str, config: dict[str, Any], step: int | None = None
) -> Path:
    """Write ``state`` atomically: to a temporary file, then renamed over ``path``. ``step`` is the
    last snapshot's step: a resume cuts metrics.csv back to it. A failed write leaves the old
    checkpoint and no temporary file."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT_VERSION,
        "plugin": plugin_id,
        "config": config,
        "state": _tensorise(state),
        "step": step,
    }
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def checkpoint_file(path: str | Path) -> Path:
    """The checkpoint ``path`` names: the file itself, or a run folder's ``checkpoint.pt``."""
    path = Path(path)
    return path / CHECKPOINT_NAME if path.is_dir() else path


def load_checkpoint(path: str | Path, plugin_id: str) -> dict[str, Any]:
    """Load a checkpoint written for ``plugin_id``; CheckpointError says why one cannot be used.

    Returns the payload: ``{"format", "plugin", "config", "state"}``; a folder means its
    ``checkpoint.pt``.
    """
    import torch

    path = checkpoint_file(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a corrupt or foreign file
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise CheckpointError(
            f"{path} is not a readable Workbench checkpoint ({type(exc).__name__}: {reason})"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION or "state" not in payload:
        raise CheckpointError(f"{path} is not a Workbench checkpoint of format {FORMAT_VERSION}")
    if payload.get("plugin") != plugin_id:
        raise CheckpointError(f"{path} was saved by plugin {payload.get('plugin')!r}, not {plugin_id!r}")
    return payload
