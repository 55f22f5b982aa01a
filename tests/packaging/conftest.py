"""What the packaging tests share: the project's one version, the built-in plugin ids, and the
smoke check an installed ``workbench`` (wheel or standalone build) must pass from outside the repo."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(scope="session")
def builtin_ids() -> list[str]:
    return sorted(tomllib.loads(p.read_text())["id"] for p in ROOT.glob("plugins/*/plugin.toml"))


@pytest.fixture
def smoke_app(version, builtin_ids) -> Callable[[Path, Path], None]:
    """Runs ``--version``, ``list``, a headless bandit run and an offscreen GUI run of ``workbench``
    in ``cwd``, and checks each one did its job."""

    def check(workbench: Path, cwd: Path) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_HOME": str(cwd / "home")}
        env.pop("PYTHONPATH", None)

        def run(*args: str) -> str:
            done = subprocess.run(
                [str(workbench), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
            )
            assert done.returncode == 0, f"workbench {' '.join(args)}:\n{done.stderr[-3000:]}"
            return done.stdout

        assert run("--version").strip() == f"workbench {version}"
        listed = run("list")
        assert "BROKEN" not in listed and all(plugin_id in listed for plugin_id in builtin_ids)
        run("run", "bandit", "--set", "runs=5", "--set", "steps=50", "--out", "X", "--quiet")
        assert json.loads((cwd / "X" / "config.json").read_text())["versions"]["workbench"] == version
        assert (cwd / "X" / "metrics.csv").read_text().count("\n") == 51
        run("gui", "--plugin", "td-control", "--set", "episodes=3", "--autorun", "--exit-when-done")
        [gui_run] = (cwd / "home" / "runs" / "td-control").iterdir()
        assert (gui_run / "metrics.csv").read_text().count("\n") == 4

    return check
