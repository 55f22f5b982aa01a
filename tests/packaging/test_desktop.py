"""``workbench install-desktop`` adds a valid menu entry and icons for this user and removes them;
the entry in packaging/ is the one it writes, and the version is the same everywhere."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

import workbench
from workbench.core.assets import ICON_SIZES
from workbench.core.cli import main
from workbench.core.desktop import desktop_entry


def parse_entry(path: Path) -> dict[str, str]:
    """The entry's keys, after desktop-file-validate accepts it (a parser check where it is missing)."""
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert done.returncode == 0 and "error" not in done.stdout, done.stdout
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path)
    entry = dict(parser["Desktop Entry"])
    assert {"Type", "Name", "Exec", "Icon"} <= entry.keys()
    return entry


def test_install_desktop_writes_entry_and_icons_and_uninstall_removes_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop"]) == 0
    entry = parse_entry(tmp_path / "applications" / "workbench.desktop")
    assert entry["Exec"] == str(Path(sys.executable).parent / "workbench") and Path(entry["Exec"]).is_file()
    icons = tmp_path / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{entry['Icon']}.svg").is_file()
    for size in ICON_SIZES:
        with Image.open(icons / f"{size}x{size}" / "apps" / f"{entry['Icon']}.png") as png:
            assert png.size == (size, size)
    assert "installed" in capsys.readouterr().out

    assert main(["install-desktop", "--uninstall"]) == 0
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert main(["install-desktop", "--uninstall"]) == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_a_path_with_spaces_is_quoted_in_exec(tmp_path):
    entry_file = tmp_path / "workbench.desktop"
    entry_file.write_text(desktop_entry("/opt/my apps/workbench"))
    assert parse_entry(entry_file)["Exec"] == '"/opt/my apps/workbench"'


def test_the_packaged_entry_is_the_installed_one_and_validates(root):
    path = root / "packaging" / "linux" / "workbench.desktop"
    assert path.read_text() == desktop_entry("workbench")
    parse_entry(path)


def test_one_version_everywhere(root, version, capsys):
    assert workbench.__version__ == version
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"workbench {version}\n"
    metainfo = ET.parse(root / "packaging" / "linux" / "workbench.metainfo.xml").getroot()
    assert metainfo.find("releases/release").get("version") == version
    assert f"## [{version}]" in (root / "CHANGELOG.md").read_text()
