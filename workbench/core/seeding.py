"""One seeding block for every trainer, so runs with the same seed repeat exactly."""

from __future__ import annotations

import random

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
