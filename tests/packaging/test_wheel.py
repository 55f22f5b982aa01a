"""The wheel a user installs holds the app, the built-in plugins and the assets, and works from a
fresh environment outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

# what a copy of the tree to build from leaves out: environments, caches and earlier builds
NOT_SOURCE = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "runs"
)


@pytest.fixture(scope="module")
def wheel(root, tmp_path_factory) -> Path:
    """``python -m build`` (sdist, then the wheel from the sdist) of a copy of the tree, so the
    build writes nothing into the working tree."""
    tmp = tmp_path_factory.mktemp("build")
    shutil.copytree(root, tmp / "src", ignore=NOT_SOURCE)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp / "dist"), str(tmp / "src")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [built] = (tmp / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; the heavy dependencies come from this test's own
    environment through a .pth line, so nothing is downloaded."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    [site] = venv.glob("lib/python*/site-packages")
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--ignore-installed",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    return venv


def test_the_wheel_holds_the_app_the_plugins_and_every_asset(wheel, root, builtin_ids):
    names = set(zipfile.ZipFile(wheel).namelist())
    assets = {
        f"workbench_assets/{p.relative_to(root / 'assets').as_posix()}"
        for p in (root / "assets").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert assets <= names
    assert {f"workbench_assets/plugins/{plugin_id}.svg" for plugin_id in builtin_ids} <= names
    assert {"workbench/core/cli.py", "workbench/qt/app.py", "workbench_plugins/bandit/plugin.toml"} <= names
    assert not any("__pycache__" in name for name in names)


def test_the_installed_wheel_runs_from_outside_the_repo(venv, tmp_path, smoke_app):
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import workbench, workbench_plugins; from workbench.core.assets import plugin_icon\n"
            "print(workbench.__file__, workbench_plugins.__file__, plugin_icon('bandit'), sep='\\n')",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    files = [Path(line) for line in where.stdout.split()]
    assert all(path.is_relative_to(venv) for path in files), files
    assert files[2].name == "bandit.svg" and files[2].is_file()
    smoke_app(venv / "bin" / "workbench", tmp_path)
