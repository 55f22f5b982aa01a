"""One seeding block for every trainer, so runs with the same seed repeat exactly."""

from __future__ import annotations

import random
import sys
from typing import Any

import numpy as np


def seed_everything(seed: int, threads: int | None = None) -> np.random.Generator:
    """Seed Python's, numpy's and (when installed) torch's generators; optionally set torch's
    intra-op threads (one by default in trainers: see the pitfalls of a 2-core desktop).

    Returns a numpy Generator seeded with ``seed`` for the trainer's own draws.
    """
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return np.random.default_rng(seed)
    torch.manual_seed(seed)
    if threads is not None:
        torch.set_num_threads(threads)
    return np.random.default_rng(seed)


def rng_state() -> dict[str, Any]:
    """Python's, numpy's global and (once imported) torch's generators, in a form a checkpoint
    loaded with ``weights_only=True`` reads back (Python's tuple state becomes a dict)."""
    version, internal, gauss = random.getstate()
    state: dict[str, Any] = {
        "python": {"version": version, "internal": list(internal), "gauss": gauss},
        "numpy": np.random.get_state(legacy=False),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        state["torch"] = torch.get_rng_state()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Put back what ``rng_state`` returned (arrays may come back as tensors)."""
    py = state["python"]
    random.setstate((int(py["version"]), tuple(int(x) for x in py["internal"]), py["gauss"]))
    legacy = state["numpy"]
    np.random.set_state(
        {
            **legacy,
            "state": {"key": np.asarray(legacy["state"]["key"], dtype=np.uint32), "pos": int(legacy["state"]["pos"])},
        }
    )
    if "torch" in state:
        import torch

        torch.set_rng_state(state["torch"])


def env_rng_states(env: Any) -> list[dict[str, Any]]:
    """The ``np_random`` state of a Gymnasium env, or of each env of a synchronous vector env."""
    return [e.unwrapped.np_random.bit_generator.state for e in getattr(env, "envs", [env])]


def set_env_rng_states(env: Any, states: list[dict[str, Any]]) -> None:
    """Put back what ``env_rng_states`` returned: the env draws its next resets and steps as before."""
    for e, state in zip(getattr(env, "envs", [env]), states, strict=True):
        e.unwrapped.np_random.bit_generator.state = state
