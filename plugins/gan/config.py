"""DCGAN settings."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, param
from workbench.data.loading import check_source


@dataclass
class Config(Schema):
    mode: str = param("images", "images: a DCGAN on an image set; toy: a 2-D mixture of Gaussians", choices=("images", "toy"))
    data: str = param("glyphs", "image set: digits, glyphs, shapes, or a path to an IDX file, .npz or image folder", path=True)
    size: int = param(28, "image side in pixels (a multiple of 4)", lo=8, hi=64)
    channels: int = param(1, "1 for gray, 3 for colour", choices=(1, 3))
    n: int = param(0, "images to use (0: all of a file or the sklearn digits, 10,000 generated)", lo=0, hi=1_000_000)
    modes: int = param(8, "toy mode: Gaussians on a ring", lo=1, hi=32)
    latent: int = param(64, "latent size of the generator's noise", lo=1, hi=512)
    width: int = param(32, "feature maps of the first layer (DCGAN: 64 or 128); hidden units x4 in toy mode", lo=4, hi=512)
    g_lr: float = param(2e-4, "generator Adam learning rate", lo=1e-6, hi=1e-1, log=True, live=True)
    d_lr: float = param(2e-4, "discriminator Adam learning rate", lo=1e-6, hi=1e-1, log=True, live=True)
    d_steps: int = param(1, "discriminator updates per generator update (the D:G step ratio)", lo=1, hi=20, live=True)
    label_smoothing: float = param(0.0, "one-sided: real images get target 1 - this", lo=0.0, hi=0.5, live=True)
    batch_size: int = param(64, "real and generated samples per update", lo=2, hi=4096)
    steps: int = param(5000, "generator updates", lo=1, hi=10_000_000)
    view_every: int = param(50, "generator updates between sample grids, GIF frames and sample_score", lo=1, hi=100_000)
    walk_1: float = param(0.0, "move the samples along latent direction 1", lo=-4.0, hi=4.0, live=True)
    walk_2: float = param(0.0, "move the samples along latent direction 2", lo=-4.0, hi=4.0, live=True)
    walk_3: float = param(0.0, "move the samples along latent direction 3", lo=-4.0, hi=4.0, live=True)
    sample_a: int = param(0, "fixed-noise sample to interpolate from (0-63)", lo=0, hi=63, live=True)
    sample_b: int = param(1, "fixed-noise sample to interpolate to (0-63)", lo=0, hi=63, live=True)
    seed: int = param(0, "random seed", lo=0)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64)

    def check(self) -> None:
        if self.mode == "images":
            check_source(self.data)
            if self.size % 4:
                raise ValueError(f"size={self.size} must be a multiple of 4 (two stride-2 layers)")
