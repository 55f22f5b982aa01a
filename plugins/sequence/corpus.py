"""The text a sequence model learns: the shipped play or a UTF-8 file, checked before a run starts,
its characters numbered, and split into a training part and a held-out tail. Imports no torch."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.core.assets import asset_path

SHIPPED = {"shakespeare": ("texts", "shakespeare.txt")}  # name -> file under the assets package
MIN_CHARS = 1_000  # enough for a held-out tail and a few training chunks


def text_path(name: str) -> Path:
    """The file behind a text name: a shipped text, or a path the user picked."""
    return asset_path(*SHIPPED[name]) if name in SHIPPED else Path(os.path.expanduser(name))


@functools.lru_cache(maxsize=4)
def _read(path: Path, size: int, mtime: float) -> str:
    """The file's text, or ValueError saying in one line why it is not a usable text file
    (``size`` and ``mtime`` make an edited file read again)."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError(f"text={str(path)!r} is empty")
    if b"\x00" in data[:65536]:
        raise ValueError(f"text={str(path)!r} is a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"text={str(path)!r} is not UTF-8 (byte {exc.start} cannot be decoded)") from None
    if len(text) < MIN_CHARS:
        raise ValueError(f"text={str(path)!r} has {len(text)} characters; at least {MIN_CHARS:,} are needed")
    return text.replace("\r\n", "\n")


def load_text(name: str) -> str:
    """The whole text of ``name`` (``shakespeare`` or a file path); ValueError when it cannot be used."""
    path = text_path(name)
    if not path.is_file():
        shipped = ", ".join(SHIPPED)
        raise ValueError(f"text={name!r} is neither a shipped text ({shipped}) nor a file")
    stat = path.stat()
    return _read(path, stat.st_size, stat.st_mtime)


@dataclass(frozen=True)
class Vocabulary:
    """The characters of a text, numbered in sorted order."""

    chars: str

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Character ids; characters the text never had are dropped (a prompt may hold them)."""
        index = {c: i for i, c in enumerate(self.chars)}
        return np.array([index[c] for c in text if c in index], dtype=np.int64)

    def decode(self, ids: np.ndarray) -> str:
        return "".join(self.chars[i] for i in ids)


def split(ids: np.ndarray, held_out: float) -> tuple[np.ndarray, np.ndarray]:
    """The first (1 - held_out) of the text for training, the rest for measuring generalisation."""
    cut = int(len(ids) * (1.0 - held_out))
    return ids[:cut], ids[cut:]


def streams(ids: np.ndarray, batch: int) -> np.ndarray:
    """(batch, length): the text cut into ``batch`` consecutive pieces read side by side, so the
    chunk after each chunk continues the same rows and a carried hidden state stays meaningful."""
    length = len(ids) // batch
    return ids[: batch * length].reshape(batch, length)
