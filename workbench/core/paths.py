"""Where Workbench keeps what it writes for a user (settings, GUI runs, recordings), and how it
writes a small JSON file there so that no reader ever sees half of it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def home() -> Path:
    """``$WORKBENCH_HOME``, else ``~/.local/share/workbench``: settings and GUI runs live here."""
    root = os.environ.get("WORKBENCH_HOME")
    return Path(root) if root else Path.home() / ".local" / "share" / "workbench"


def write_json(path: Path, doc: Any, indent: int | None = 2) -> None:
    """Write ``doc`` to ``path`` atomically: a reader sees the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # two processes never share one
    try:
        tmp.write_text(json.dumps(doc, indent=indent, default=str))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
