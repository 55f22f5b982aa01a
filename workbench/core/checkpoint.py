"""Checkpoints: a trainer's state (state dicts, step, RNG states) plus its config, written
atomically and read without running code: torch's format loaded with ``weights_only=True``, or,
for a state of numpy arrays and plain values (the tabular labs), numpy's format, written and
read without importing torch."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.npz_tree import NotPlain, PlainTree, is_npz_tree, read_npz_tree

FORMAT_VERSION = 1
CHECKPOINT_NAME = "checkpoint.pt"
HISTORY_DIR = "checkpoints"  # step-<step>.pt: earlier checkpoints, to resume or fork from
HISTORY_KEEP = 10
HISTORY_MAX_BYTES = 1 << 30  # bigger checkpoints are not copied into the history

_log = logging.getLogger(__name__)


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
    checkpoint and no temporary file. A state without tensors is written in numpy's format."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT_VERSION, "plugin": plugin_id, "config": config, "state": state, "step": step}
    try:
        plain: PlainTree | None = PlainTree(payload)
    except NotPlain:
        plain = None
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            if plain is not None:
                plain.write(f)
            else:
                import torch

                torch.save({**payload, "state": _tensorise(state)}, f)
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


def _torch_load(path: Path) -> Any:
    import torch

    return torch.load(path, map_location="cpu", weights_only=True)


def load_checkpoint(path: str | Path, plugin_id: str) -> dict[str, Any]:
    """Load a checkpoint written for ``plugin_id``; CheckpointError says why one cannot be used.

    Returns the payload: ``{"format", "plugin", "config", "state"}``; a folder means its
    ``checkpoint.pt``.
    """
    path = checkpoint_file(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        payload = read_npz_tree(path) if is_npz_tree(path) else _torch_load(path)
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


def run_folder(path: str | Path) -> Path:
    """The run folder a checkpoint belongs to: its own folder, or the run above ``checkpoints/``."""
    folder = checkpoint_file(path).parent
    return folder.parent if folder.name == HISTORY_DIR else folder


def _history_file(run_dir: Path, step: int) -> Path:
    return run_dir / HISTORY_DIR / f"step-{step:09d}.pt"


def checkpoint_steps(run_dir: str | Path) -> list[int]:
    """The steps of the checkpoints kept in ``run_dir``'s history, oldest first."""
    steps = []
    for f in (Path(run_dir) / HISTORY_DIR).glob("step-*.pt"):
        number = f.stem.removeprefix("step-")
        if number.isdigit():
            steps.append(int(number))
    return sorted(steps)


def checkpoint_at(run_dir: str | Path, step: int) -> Path:
    """The newest history checkpoint at or before ``step``; CheckpointError names the steps there are."""
    run_dir = Path(run_dir)
    steps = checkpoint_steps(run_dir)
    earlier = [s for s in steps if s <= step]
    if not earlier:
        there = ", ".join(map(str, steps)) if steps else "none"
        raise CheckpointError(f"{run_dir} has no checkpoint at or before step {step}; its checkpoint steps: {there}")
    return _history_file(run_dir, earlier[-1])


def keep_in_history(path: str | Path, step: int, keep: int = HISTORY_KEEP) -> Path | None:
    """Hard-link (or copy) the checkpoint just written at ``path`` into its folder's history.

    Over ``keep`` files, the one in the densest stretch goes (never the first nor the newest):
    over a run that drops about every second older one, so the history spans the whole run at
    about even spacing. Entries past ``step`` (a run resumed from an earlier point) go too. A
    checkpoint over HISTORY_MAX_BYTES is not kept (one log line).
    """
    if keep < 2:
        raise ValueError(f"Expect a checkpoint history to keep >= 2 files, actually: {keep}")
    path = Path(path)
    if path.stat().st_size > HISTORY_MAX_BYTES:
        _log.warning("checkpoint %s is over %d bytes: not kept in the history", path, HISTORY_MAX_BYTES)
        return None
    target = _history_file(path.parent, step)
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)
    except OSError:
        shutil.copyfile(path, tmp)
    os.replace(tmp, target)
    steps = checkpoint_steps(path.parent)
    stale = [s for s in steps if s > step]
    kept = [s for s in steps if s <= step]
    while len(kept) > keep:  # drop the one whose neighbours are closest: the gaps stay about even
        i = min(range(1, len(kept) - 1), key=lambda j: (kept[j + 1] - kept[j - 1], j))
        stale.append(kept.pop(i))
    for s in stale:
        _history_file(path.parent, s).unlink(missing_ok=True)
    return target
