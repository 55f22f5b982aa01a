"""Test settings shared by every test: Qt offscreen, one torch thread, runs in a temp home."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # test-only helper modules such as faulty.py
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _workbench_home(tmp_path, monkeypatch):
    """Keep settings and GUI runs of each test in its own folder, never in the user's home."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def ray_instance():
    """A local Ray instance with 2 CPUs, as CI's machine has, for the tests of a module."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
