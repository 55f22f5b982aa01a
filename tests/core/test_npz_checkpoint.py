"""A state of numpy arrays and plain values is checkpointed in numpy's format, without torch, and
reads back equal; a state with tensors keeps torch's format; neither kind of file can run code."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from workbench.core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from workbench.core.npz_tree import TREE, PlainTree, is_npz_tree

PLAIN_STATE = {
    "q": np.arange(12, dtype=np.float32).reshape(3, 4),
    "seen": np.array([[0, 1], [2, 3]], dtype=np.int64),
    "episodes": np.int64(7),
    "rng": {"bit_generator": "PCG64", "state": {"state": 2**127 + 3, "inc": 5}, "has_uint32": 0},
    "python": {"version": 3, "internal": [1, 2, 3], "gauss": None},
    "pair": (1, "a", 2.5),
    "by_state": {0: 1.5, (1, 2): float("nan"), "x": [True, False]},
    "empty": np.zeros((0, 3)),
    "grid": ["#.", ".G"],
}


def test_a_plain_state_reads_back_equal_with_its_types(tmp_path):
    path = save_checkpoint(tmp_path / "checkpoint.pt", PLAIN_STATE, "lab", {"alpha": 0.5}, step=7)
    assert is_npz_tree(path)
    payload = load_checkpoint(path, "lab")
    state = payload["state"]
    assert (payload["config"], payload["step"]) == ({"alpha": 0.5}, 7)
    for key in ("q", "seen", "empty"):
        assert state[key].dtype == PLAIN_STATE[key].dtype and state[key].shape == PLAIN_STATE[key].shape
        np.testing.assert_array_equal(state[key], PLAIN_STATE[key])
    assert state["episodes"] == 7 and type(state["episodes"]) is int
    assert state["rng"] == PLAIN_STATE["rng"] and state["python"] == PLAIN_STATE["python"]
    assert state["pair"] == (1, "a", 2.5) and type(state["pair"]) is tuple
    assert set(state["by_state"]) == {0, (1, 2), "x"} and np.isnan(state["by_state"][(1, 2)])
    assert state["grid"] == ["#.", ".G"]


def test_a_state_with_tensors_keeps_torchs_format(tmp_path):
    path = save_checkpoint(tmp_path / "checkpoint.pt", {"w": torch.ones(2), "table": np.ones(3)}, "lab", {})
    assert not is_npz_tree(path)
    state = load_checkpoint(path, "lab")["state"]
    assert torch.equal(state["w"], torch.ones(2)) and torch.equal(state["table"], torch.ones(3, dtype=torch.float64))


def test_a_numpy_checkpoint_holding_a_pickle_is_refused(tmp_path):
    path = tmp_path / "checkpoint.pt"
    tree = PlainTree({"format": 1, "plugin": "lab", "config": {}, "state": {"q": np.ones(2)}, "step": None})
    with path.open("wb") as f:  # the array's member is an object array: a pickle
        np.savez(f, **{TREE: np.array(tree.structure)}, a0=np.array([print], dtype=object))
    with pytest.raises(CheckpointError, match="not a readable Workbench checkpoint"):
        load_checkpoint(path, "lab")


def test_a_tabular_run_saves_and_resumes_without_importing_torch(tmp_path):
    """The whole run, its final checkpoint and a resume from it, in a fresh interpreter."""
    code = f"""
import sys
from workbench.core.checkpoint import load_checkpoint
from workbench.core.cli import main
out = {str(tmp_path / "run")!r}
assert main(["run", "td-control", "--steps", "3", "--quiet", "--out", out]) == 0
assert main(["run", "td-control", "--steps", "5", "--quiet", "--out", out, "--resume", out]) == 0
assert load_checkpoint(out, "td-control")["step"] == 5
print("torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "False"
    assert is_npz_tree(tmp_path / "run" / "checkpoint.pt")
