"""Icons come from the installed assets package: one per built-in plugin, the app icon at every
size, and the app icon wherever a name has none."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PIL import Image

from workbench.core.assets import ICON_SIZES, icon_path, plugin_icon


def test_every_builtin_plugin_has_its_own_svg_icon(builtin_ids):
    for plugin_id in builtin_ids:
        path = plugin_icon(plugin_id)
        assert path.name == f"{plugin_id}.svg"
        assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_the_app_icon_exists_at_every_size():
    assert ET.parse(icon_path()).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    for size in ICON_SIZES:
        with Image.open(icon_path(size=size)) as png:
            assert png.size == (size, size) and png.mode == "RGBA"


def test_a_name_without_an_icon_falls_back_to_the_app_icon():
    assert plugin_icon("third-party-plugin") == icon_path()
    assert icon_path("missing", size=32) == icon_path(size=32)
