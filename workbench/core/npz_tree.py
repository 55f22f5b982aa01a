"""Nested Python and numpy data in numpy's ``.npz`` format, written and read without pickle.

A tabular trainer's checkpoint holds only arrays, numbers and strings; writing it with
``torch.save`` made every such run import torch (0.8 s) to save its last checkpoint. Here the
arrays are ``.npy`` members and the structure around them is JSON in one more member, so
reading one back (``allow_pickle=False``) can never run code. Tuples and non-string dict keys
keep their types, as they do in a torch checkpoint.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np

TREE = "workbench_tree"  # the member that holds the structure


class NotPlain(TypeError):
    """The data holds something other than numpy arrays, numbers, strings, lists, tuples and dicts."""


def _encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(obj, np.generic):
        return _encode(obj.item(), arrays)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.ndarray) and not obj.dtype.hasobject:
        arrays.append(obj)
        return {"array": len(arrays) - 1}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()]}
    raise NotPlain(f"{type(obj).__module__}.{type(obj).__qualname__}")


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(node, list):
        return [_decode(v, arrays) for v in node]
    if not isinstance(node, dict):
        return node
    if "array" in node:
        return arrays[f"a{node['array']}"]
    if "tuple" in node:
        return tuple(_decode(v, arrays) for v in node["tuple"])
    return {_decode(k, arrays): _decode(v, arrays) for k, v in node["dict"]}


class PlainTree:
    """``data`` split into its JSON structure and its arrays; NotPlain when it holds anything else
    (a tensor: such data needs torch's format)."""

    def __init__(self, data: Any) -> None:
        self.arrays: list[np.ndarray] = []
        self.structure = json.dumps(_encode(data, self.arrays))

    def write(self, f: IO[bytes]) -> None:
        members: dict[str, Any] = {TREE: np.array(self.structure)}
        members.update((f"a{i}", a) for i, a in enumerate(self.arrays))
        np.savez(f, allow_pickle=False, **members)


def is_npz_tree(path: str | Path) -> bool:
    """Whether ``path`` is a file ``PlainTree.write`` wrote (and not, say, a torch checkpoint,
    which is a zip archive too)."""
    try:
        with zipfile.ZipFile(path) as z:
            return f"{TREE}.npy" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def read_npz_tree(path: str | Path) -> Any:
    """The data ``PlainTree.write`` wrote to ``path``, arrays as numpy arrays; never unpickles."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return _decode(json.loads(str(arrays.pop(TREE))), arrays)
