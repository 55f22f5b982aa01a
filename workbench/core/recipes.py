"""Recipes: named presets that open a plugin on a known experiment ("Cliff: SARSA vs Q-learning").

A plugin lists them in a ``recipes.toml`` beside its ``plugin.toml``::

    [[recipe]]
    title = "Cliff: SARSA vs Q-learning (Example 6.6)"
    about = "SARSA learns the safe path, Q-learning walks the edge"
    values = { compare = "sarsa,q-learning", env = "CliffWalking-v1" }

A recipe with ``offer_when = { field = "env", prefix = "ALE/" }`` is also offered, with its
``notice``, when a person sets that field to a value with that prefix; applying it then keeps
the value they chose for the field.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from dataclasses import dataclass, field
from typing import Any

from workbench.core.manifest import Manifest

FILE = "recipes.toml"


@dataclass(frozen=True)
class Recipe:
    plugin: str
    title: str
    about: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    offer_field: str = ""
    offer_prefix: str = ""
    notice: str = ""

    def offered_for(self, name: str, value: Any) -> bool:
        """Whether setting field ``name`` to ``value`` should offer this recipe."""
        return bool(self.offer_field) and name == self.offer_field and str(value).startswith(self.offer_prefix)

    def values_keeping(self, current: dict[str, Any]) -> dict[str, Any]:
        """The recipe's values, keeping the value a person chose for the field that offered it."""
        kept = {self.offer_field: current[self.offer_field]} if self.offer_field in current else {}
        return {**self.values, **kept}


def parse_recipes(text: str, plugin: str, source: str = FILE) -> list[Recipe]:
    """The recipes in ``text``.

    Raises:
        ValueError: naming ``source`` and the recipe, for a recipe without a title or values
        that are not a table.
    """
    out = []
    for i, raw in enumerate(tomllib.loads(text).get("recipe", [])):
        title, values, offer = raw.get("title"), raw.get("values", {}), raw.get("offer_when", {})
        if not isinstance(title, str) or not title:
            raise ValueError(f"{source}: recipe {i + 1} has no title")
        if not isinstance(values, dict):
            raise ValueError(f"{source}: recipe {title!r}: values must be a table, got {values!r}")  # noqa: TRY004
        out.append(
            Recipe(
                plugin,
                title,
                raw.get("about", ""),
                dict(values),
                offer.get("field", ""),
                offer.get("prefix", ""),
                raw.get("notice", ""),
            )
        )
    return out


def recipes_of(manifest: Manifest) -> list[Recipe]:
    """The recipes shipped beside the plugin's manifest (none when it has no ``recipes.toml``)."""
    try:
        path = importlib.resources.files(manifest.package) / FILE
        text = path.read_text() if path.is_file() else ""
    except (ModuleNotFoundError, TypeError, OSError):  # TypeError: a plugin that is a module, not a folder
        return []
    return parse_recipes(text, manifest.id, f"{manifest.package}/{FILE}")
