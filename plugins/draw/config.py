"""DRAW settings: the data, the recurrent VAE's size, its attention, and training."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, one_of, param
from workbench.data import DATASETS, check_source

ATTENTION = one_of("attention", True)


@dataclass
class Config(Schema):
    data: str = param(
        "glyphs", f"image set: {', '.join(DATASETS)}, or a path to an IDX/.npz file or image folder", path=True
    )
    size: int = param(28, "image side in pixels", lo=8, hi=64)
    channels: int = param(1, "1 gray, 3 colour (one glimpse shared by the three channels)", choices=(1, 3))
    binarize: bool = param(True, "threshold pixels at 0.5 (binary images, as in the paper's MNIST)")
    likelihood: str = param(
        "bernoulli",
        "reconstruction term: Bernoulli cross-entropy, or L2 as for colour photos",
        choices=("bernoulli", "gaussian"),
    )
    attention: bool = param(True, "read and write through Gaussian filterbanks (off: whole image and canvas)")
    glimpses: int = param(10, "steps T that build the canvas", lo=1, hi=64)
    read_n: int = param(5, "read grid side N", lo=1, hi=32, when=ATTENTION)
    write_n: int = param(5, "write grid side N", lo=1, hi=32, when=ATTENTION)
    hidden: int = param(128, "LSTM state size of encoder and decoder", lo=8, hi=1024)
    z_dim: int = param(16, "latent size per step", lo=1, hi=256)
    steps: int = param(3000, "training steps", lo=1, hi=10_000_000)
    batch_size: int = param(64, "images per training step", lo=1, hi=1024)
    lr: float = param(1e-3, "Adam learning rate", lo=1e-6, hi=1e-2, log=True, live=True)
    grad_clip: float = param(5.0, "gradient norm clip (0: none)", lo=0.0, hi=100.0, live=True, group="advanced")
    view_every: int = param(
        100, "training steps between strips, samples and the writing animation", lo=1, hi=1_000_000, live=True
    )
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")
    seed: int = param(0, "random seed", lo=0)

    def check(self) -> None:
        check_source(self.data)
        for name in ("read_n", "write_n"):
            if getattr(self, name) > self.size:
                raise ValueError(f"{name}={getattr(self, name)!r} must be at most size={self.size!r}")
