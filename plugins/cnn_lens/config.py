"""CNN lens settings: the data and the convnet, then what the lens looks at (all live)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, param
from workbench.data import check_source

WIDTHS = (32, 64, 128)  # features of conv layers 1, 2, 3


@dataclass
class Config(Schema):
    data: str = param(
        "glyphs", "image set: digits, glyphs, shapes, or a path to an IDX file, .npz or folder of images", path=True
    )
    images: int = param(
        0, "images to use (generated sets make this many); 0 = the set's default (all real ones)", lo=0, hi=1_000_000
    )
    size: int = param(28, "image side in pixels", lo=8, hi=128)
    channels: int = param(1, "1 gray, 3 colour", choices=(1, 3))
    test_fraction: float = param(
        0.2, "share of the images held out to measure test accuracy", lo=0.05, hi=0.5, group="advanced"
    )
    depth: int = param(2, "conv layers (3x3, ReLU, 2x2 max-pool) of 32, 64, 128 features", choices=(1, 2, 3))
    head: str = param(
        "fc",
        "classifier: fc (hidden layer) or gap (global average pooling, gives CAM; use depth 3 with it)",
        choices=("fc", "gap"),
    )
    steps: int = param(1000, "training steps (minibatches)", lo=1, hi=1_000_000)
    batch_size: int = param(64, "images per training step", lo=1, hi=1024)
    lr: float = param(1e-3, "Adam learning rate", lo=1e-5, hi=1e-1, log=True, live=True)
    eval_every: int = param(200, "steps between test-accuracy measurements", lo=1, hi=100_000)
    layer: int = param(2, "conv layer the lens looks at (1 = nearest the pixels)", lo=1, hi=3, live=True)
    feature: int = param(0, "feature (channel) of that layer", lo=0, hi=WIDTHS[-1] - 1, live=True)
    index: int = param(
        0,
        "test image the feature maps and saliency views show (wraps around the test set)",
        lo=0,
        hi=1_000_000,
        live=True,
    )
    lens_every: int = param(100, "steps between lens refreshes; 0 = lens off", lo=0, hi=100_000, live=True)
    probe: int = param(256, "test images searched for the feature's top 9", lo=9, hi=4096, group="advanced")
    dream_steps: int = param(40, "gradient steps of activation maximisation", lo=1, hi=500, live=True, group="advanced")
    l2: float = param(
        0.01, "activation maximisation: pull towards gray each step", lo=0.0, hi=0.5, live=True, group="advanced"
    )
    jitter: int = param(
        2, "activation maximisation: random shift in pixels each step", lo=0, hi=8, live=True, group="advanced"
    )
    blur: float = param(
        0.5,
        "activation maximisation: Gaussian blur sigma every 4 steps (0 = none)",
        lo=0.0,
        hi=3.0,
        live=True,
        group="advanced",
    )
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")
    seed: int = param(0, "random seed (data split, weights, batches)", lo=0)

    def check(self) -> None:
        check_source(self.data)
        if self.layer > self.depth:
            raise ValueError(
                f"layer={self.layer} is deeper than the network (depth={self.depth}); choose 1 to {self.depth}"
            )
        width = WIDTHS[self.layer - 1]
        if self.feature >= width:
            raise ValueError(
                f"feature={self.feature} is not among conv layer {self.layer}'s {width} features (0 to {width - 1})"
            )
