"""DCGAN settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action, payload
from workbench.core.config import Schema, one_of, param
from workbench.data.loading import check_source

IMAGES = one_of("mode", "images")


@dataclass
class Config(Schema):
    mode: str = param(
        "images", "images: a DCGAN on an image set; toy: a 2-D mixture of Gaussians", choices=("images", "toy")
    )
    data: str = param(
        "glyphs",
        "image set: digits, glyphs, shapes, or a path to an IDX file, .npz or image folder",
        path=True,
        when=IMAGES,
    )
    size: int = param(28, "image side in pixels (a multiple of 4)", lo=8, hi=64, when=IMAGES)
    channels: int = param(1, "1 for gray, 3 for colour", choices=(1, 3), when=IMAGES)
    n: int = param(
        0,
        "images to use (0: all of a file or the sklearn digits, 10,000 generated)",
        lo=0,
        hi=1_000_000,
        when=IMAGES,
        group="advanced",
    )
    modes: int = param(8, "toy mode: Gaussians on a ring", lo=1, hi=32, when=one_of("mode", "toy"))
    latent: int = param(64, "latent size of the generator's noise", lo=1, hi=512)
    width: int = param(
        32, "feature maps of the first layer (DCGAN: 64 or 128); hidden units x4 in toy mode", lo=4, hi=512
    )
    g_lr: float = param(2e-4, "generator Adam learning rate", lo=1e-6, hi=1e-1, log=True, live=True)
    d_lr: float = param(2e-4, "discriminator Adam learning rate", lo=1e-6, hi=1e-1, log=True, live=True)
    d_steps: int = param(1, "discriminator updates per generator update (the D:G step ratio)", lo=1, hi=20, live=True)
    label_smoothing: float = param(0.0, "one-sided: real images get target 1 - this", lo=0.0, hi=0.5, live=True)
    batch_size: int = param(64, "real and generated samples per update", lo=2, hi=4096)
    steps: int = param(5000, "generator updates", lo=1, hi=10_000_000)
    view_every: int = param(50, "generator updates between sample grids, GIF frames and sample_score", lo=1, hi=100_000)
    seed: int = param(0, "random seed", lo=0)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")

    actions: ClassVar[tuple[Action, ...]] = (
        Action(
            "walk",
            "Walk the latent space",
            tuple(
                payload(f"d{i}", float, 0.0, f"distance along latent direction {i}", lo=-4.0, hi=4.0) for i in (1, 2, 3)
            ),
            help="move the samples along three latent directions",
        ),
        Action(
            "interpolate",
            "Interpolate between two samples",
            (
                payload("a", int, 0, "fixed-noise sample to start from", lo=0, hi=63),
                payload("b", int, 1, "fixed-noise sample to end at", lo=0, hi=63),
            ),
            help="redraw the traversal and interpolation from these samples",
        ),
    )

    def check(self) -> None:
        if self.mode == "images":
            check_source(self.data)
            if self.size % 4:
                raise ValueError(f"size={self.size} must be a multiple of 4 (two stride-2 layers)")
