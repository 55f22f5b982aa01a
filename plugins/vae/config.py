"""Autoencoder / VAE settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action, payload
from workbench.core.config import Schema, one_of, param
from workbench.data.loading import check_source

VARIATIONAL = one_of("model", "vae")


@dataclass
class Config(Schema):
    data: str = param(
        "glyphs", "image set: digits, glyphs, shapes, or a path to an IDX file, .npz or image folder", path=True
    )
    size: int = param(28, "image side in pixels", lo=8, hi=64)
    channels: int = param(1, "1 for gray, 3 for colour", choices=(1, 3))
    n: int = param(0, "images to use (0: all of a file or the sklearn digits, 10,000 generated)", lo=0, hi=1_000_000)
    model: str = param("vae", "vae: variational autoencoder; ae: plain autoencoder (no KL term)", choices=("vae", "ae"))
    arch: str = param("mlp", "encoder and decoder: mlp or conv", choices=("mlp", "conv"))
    latent: int = param(2, "latent dimensions (2 shows the latent plane and manifold)", lo=1, hi=128)
    hidden: int = param(512, "hidden units of the MLP layers / channels scale of the conv layers", lo=16, hi=2048)
    beta: float = param(
        1.0, "weight of the KL term (1: the ELBO)", lo=1e-3, hi=100.0, log=True, live=True, when=VARIATIONAL
    )
    kl_anneal: int = param(
        0,
        "epochs over which the KL weight ramps from 0 to beta (0: off)",
        lo=0,
        hi=1000,
        when=VARIATIONAL,
        group="advanced",
    )
    lr: float = param(1e-3, "Adam learning rate", lo=1e-5, hi=1e-1, log=True, live=True)
    batch_size: int = param(128, "images per gradient step", lo=1, hi=4096)
    epochs: int = param(30, "passes over the data", lo=1, hi=100_000)
    view_every: int = param(50, "gradient steps between updates of the image views and sample_score", lo=1, hi=100_000)
    seed: int = param(0, "random seed", lo=0)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")

    actions: ClassVar[tuple[Action, ...]] = (
        Action(
            "decode",
            "Decode a latent point",
            (
                payload("x", float, 0.0, "latent x", lo=-5.0, hi=5.0),
                payload("y", float, 0.0, "latent y", lo=-5.0, hi=5.0),
            ),
            help="decode this point of the latent plane (a click on the plane does the same)",
        ),
        Action(
            "interpolate",
            "Interpolate between two images",
            (
                payload("a", int, 0, "index of the first image", lo=0, hi=1_000_000),
                payload("b", int, 1, "index of the second image", lo=0, hi=1_000_000),
            ),
            help="redraw the interpolation and traversal views from these images",
        ),
    )

    def check(self) -> None:
        check_source(self.data)
        if self.arch == "conv" and self.size % 4:
            raise ValueError(f"size={self.size} must be a multiple of 4 for arch='conv' (two stride-2 layers)")
