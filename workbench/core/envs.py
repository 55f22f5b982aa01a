"""Gymnasium environment ids: registering the ones Workbench knows and checking a user's id."""

from __future__ import annotations

import difflib


def register_all() -> None:
    """Register ALE's games and Workbench's own environments with Gymnasium (idempotent)."""
    import gymnasium

    try:
        import ale_py

        gymnasium.register_envs(ale_py)
    except ImportError:
        pass
    import workbench.envs  # noqa: F401 - registers the workbench/ namespace


def check_env_id(env_id: str) -> None:
    """Raise ValueError when Gymnasium does not know ``env_id``, suggesting close matches."""
    import gymnasium

    register_all()
    if env_id in gymnasium.registry:
        return
    close = difflib.get_close_matches(env_id, list(gymnasium.registry), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown environment id {env_id!r}{hint}")
