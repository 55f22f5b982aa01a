"""Gymnasium environment ids: registering the ones Workbench knows and checking a user's id."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path


def register_all() -> None:
    """Register ALE's games and Workbench's own environments with Gymnasium (idempotent)."""
    import gymnasium

    ensure_runtime_dir()

    try:
        import ale_py

        gymnasium.register_envs(ale_py)
    except ImportError:
        pass
    import workbench.envs  # noqa: F401 - registers the workbench/ namespace


def ensure_runtime_dir() -> None:
    """Give SDL a valid ``XDG_RUNTIME_DIR`` before a Gymnasium env renders with pygame.

    SDL probes Wayland even for off-screen frames, and libwayland prints "error: XDG_RUNTIME_DIR
    is invalid or not set in the environment." on every rendering run when the variable is unset
    or not an absolute folder (cron, ssh, containers). A private folder in the temp dir serves.
    """
    current = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.name != "posix" or (os.path.isabs(current) and os.path.isdir(current)):
        return
    path = Path(tempfile.gettempdir()) / f"workbench-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    if path.stat().st_uid != os.getuid():  # someone else's folder: take a fresh one
        path = Path(tempfile.mkdtemp(prefix="workbench-runtime-"))
    os.environ["XDG_RUNTIME_DIR"] = str(path)


def check_env_id(env_id: str) -> None:
    """Raise ValueError when Gymnasium does not know ``env_id``, suggesting close matches."""
    import gymnasium

    register_all()
    if env_id in gymnasium.registry:
        return
    close = difflib.get_close_matches(env_id, list(gymnasium.registry), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown environment id {env_id!r}{hint}")
