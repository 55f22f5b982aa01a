"""Names of bars and side-by-side maps: a view's static ``labels``, or, with ``labels_key``, the
names a trainer picks from them by index (the environment's actions, sent as an integer array)."""

from __future__ import annotations

from typing import Any

import numpy as np

STATIC = 1  # the version of names that come from plugin.toml alone


def bar_names(view: Any, seen: int) -> tuple[int, list[str] | None]:
    """(version, names) when they changed since version ``seen``; (seen, None) when they did not.

    An index past the end of ``labels`` reads as ``#i``, so a bad index shows instead of hiding.
    """
    labels = list(view.option("labels") or [])
    key = view.option("labels_key")
    if not key:
        return (STATIC, labels) if seen != STATIC and labels else (seen, None)
    version, picks = view.latest.read(key)
    if picks is None or version == seen:
        return seen, None
    names = [labels[i] if 0 <= i < len(labels) else f"#{i}" for i in np.asarray(picks, dtype=int).ravel().tolist()]
    return version, names
