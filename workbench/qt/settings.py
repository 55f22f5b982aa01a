"""Settings kept between launches: window layout, open plugins, last-used configs, each plugin's
arrangement of its panel (views hidden or maximised, the config folded) and the theme, in a
versioned JSON file under the Workbench home folder.

The file is read defensively: a part of the wrong shape, or a remembered value a plugin's config
no longer accepts, is dropped and named in one line on stderr, and the rest is kept. A settings
file never stops the app from starting.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.core.config import from_dict, migrate, notice
from workbench.core.paths import home

VERSION = 1
TEXT_PARTS = ("geometry", "state", "theme")
"""Parts that hold text: base64 from Qt's saveGeometry/saveState, and the theme's name."""
PER_PLUGIN = ("configs", "layouts")
"""Parts that map a plugin id to an object: its last-used config, its panel's arrangement."""


def fresh() -> dict[str, Any]:
    return {"version": VERSION, "configs": {}, "layouts": {}}


def load() -> dict[str, Any]:
    """The saved settings, or fresh ones when missing, unreadable or of another version.

    Parts of the wrong shape (``configs`` that is not an object of objects, a non-text
    ``geometry``, an ``open`` that is not a list of names) are dropped and reported once.
    """
    path = home() / "settings.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return fresh()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return fresh()
    data, dropped = well_formed(data)
    if dropped:
        notice(f"{path}: ignored {'; '.join(dropped)}; the rest of the settings is kept")
    return data


def well_formed(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``data`` without the parts of the wrong shape, and a description of each part dropped."""
    out, dropped = dict(data), []
    for part in PER_PLUGIN:
        per_plugin = out.get(part, {})
        if not isinstance(per_plugin, dict):
            dropped.append(f"{part} ({type(per_plugin).__name__}, not an object)")
            per_plugin = {}
        bad = [plugin_id for plugin_id, values in per_plugin.items() if not isinstance(values, dict)]
        dropped += [f"{part}.{plugin_id} ({type(per_plugin[plugin_id]).__name__}, not an object)" for plugin_id in bad]
        out[part] = {plugin_id: values for plugin_id, values in per_plugin.items() if plugin_id not in bad}
    for key in TEXT_PARTS:
        if key in out and not isinstance(out[key], str):
            dropped.append(f"{key} ({type(out.pop(key)).__name__}, not text)")
    opened = out.get("open")
    if opened is not None and not (isinstance(opened, list) and all(isinstance(p, str) for p in opened)):
        dropped.append("open (not a list of plugin names)")
        del out["open"]
    return out, dropped


def usable_values(config_cls: type, values: dict[str, Any], plugin_id: str) -> dict[str, Any]:
    """The remembered ``values`` that ``config_cls`` accepts, with each one it refuses (a choice
    that no longer exists, a value out of range, an unknown key) dropped and named in one line."""
    values = migrate(config_cls, values)
    try:
        from_dict(config_cls, values)
        return values
    except (TypeError, ValueError):
        pass
    kept, dropped = {}, []
    for key, value in values.items():
        try:
            from_dict(config_cls, {**kept, key: value})
        except (TypeError, ValueError) as exc:
            dropped.append(str(exc))
        else:
            kept[key] = value
    notice(f"remembered settings of {plugin_id} not used: {'; '.join(dropped)}")
    return kept


def save(data: dict[str, Any]) -> None:
    path = home() / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**data, "version": VERSION}, indent=2, default=str))
    tmp.replace(path)
