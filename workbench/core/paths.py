"""Where Workbench keeps what it writes for a user: settings, GUI runs, recordings."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """``$WORKBENCH_HOME``, else ``~/.local/share/workbench``: settings and GUI runs live here."""
    root = os.environ.get("WORKBENCH_HOME")
    return Path(root) if root else Path.home() / ".local" / "share" / "workbench"
