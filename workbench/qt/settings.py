"""Settings kept between launches: window layout, open plugins and last-used configs, in a
versioned JSON file under the Workbench home folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

VERSION = 1


def home() -> Path:
    """``$WORKBENCH_HOME``, else ``~/.local/share/workbench``: settings and GUI runs live here."""
    root = os.environ.get("WORKBENCH_HOME")
    return Path(root) if root else Path.home() / ".local" / "share" / "workbench"


def load() -> dict[str, Any]:
    """The saved settings, or fresh ones when missing, unreadable or of another version."""
    path = home() / "settings.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {"version": VERSION, "configs": {}}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return {"version": VERSION, "configs": {}}
    data.setdefault("configs", {})
    return data


def save(data: dict[str, Any]) -> None:
    path = home() / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**data, "version": VERSION}, indent=2, default=str))
    tmp.replace(path)
