"""A small digits classifier that judges generated samples, so progress and mode collapse show as numbers.

It is trained in a few seconds on generated glyphs and scikit-learn's digits, plus an eleventh
"not a digit" class (noise, blank frames, shapes and blends of two different digits), so that a
blurry average of digits is not counted as a confident digit.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import torch
from torch import nn

from workbench.data import builtin
from workbench.data.arrays import resize, set_channels, to_nchw

REJECT = 10  # the "not a digit" class
CONFIDENT = 0.9


def _net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, stride=2, padding=2),
        nn.ReLU(),
        nn.Conv2d(16, 32, 5, stride=2, padding=2),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(7),
        nn.Flatten(),
        nn.Linear(32 * 49, 64),
        nn.ReLU(),
        nn.Linear(64, REJECT + 1),
    )


def _not_digits(digits: np.ndarray, labels: np.ndarray, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Images that must not pass as digits: blends of two different digits, noise, blanks, shapes."""
    a, b = rng.integers(0, len(digits), (2, 4 * n))
    a, b = a[labels[a] != labels[b]][: n // 2], b[labels[a] != labels[b]][: n // 2]
    w = rng.uniform(0.35, 0.65, (len(a), 1, 1, 1)).astype(np.float32)
    blends = w * digits[a] + (1 - w) * digits[b]
    k = (n - len(blends)) // 3
    noise = rng.uniform(0, 1, (k, 1, size, size)).astype(np.float32)
    noise[: k // 2] = np.stack([cv2.GaussianBlur(x[0], (0, 0), 1.5)[None] for x in noise[: k // 2]])
    blank = rng.uniform(0, 0.3, (k, 1, 1, 1)).astype(np.float32) * np.ones((1, 1, size, size), np.float32)
    shapes = builtin.shapes(k, size, int(rng.integers(1 << 30)))[0]
    return np.concatenate([blends, noise, blank, shapes]).astype(np.float32)


class DigitScorer:
    """Scores a batch of images by how many a digits classifier recognises, and how evenly."""

    def __init__(self, net: nn.Module, size: int) -> None:
        self.net, self.size = net.eval(), size

    @classmethod
    @functools.lru_cache(maxsize=4)
    def trained(cls, size: int = 28, seed: int = 0) -> DigitScorer:
        """Train (once per process for each size and seed; later calls return the same scorer).

        Leaves torch's global random state as it found it, so trainers stay deterministic."""
        rng = np.random.default_rng(seed)
        gx, gy = builtin.glyphs(4000, size, seed + 1)
        dx, dy = builtin.digits()
        dx = resize(dx, size)
        x = np.concatenate([gx, dx])
        y = np.concatenate([gy, dy])
        junk = _not_digits(x, y, 1200, size, rng)
        x = np.concatenate([x, junk])
        y = np.concatenate([y, np.full(len(junk), REJECT)])
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = _net()
            opt = torch.optim.Adam(net.parameters(), lr=2e-3)
            xt, yt = torch.from_numpy(x), torch.from_numpy(y)
            for _ in range(3):
                for idx in torch.randperm(len(x)).split(64):
                    loss = nn.functional.cross_entropy(net(xt[idx]), yt[idx])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        return cls(net, size)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 11) of images in [0, 1], any size, gray or colour; column 10 is
        "not a digit"."""
        x = resize(set_channels(to_nchw(np.clip(images, 0.0, 1.0), "scored images"), 1, 0), self.size)
        with torch.no_grad():
            return torch.softmax(self.net(torch.from_numpy(x)), dim=1).numpy()

    def score(self, images: np.ndarray) -> dict[str, float]:
        """``sample_score``: the fraction recognised as a digit with confidence >= 0.9;
        ``class_spread``: the entropy of the predicted digits over log(10), 1 when all ten digits
        are equally common and 0 when every sample is the same digit (mode collapse)."""
        p = self.probabilities(images)
        confident = (p[:, :REJECT].max(axis=1) >= CONFIDENT).mean()
        counts = np.bincount(p[:, :REJECT].argmax(axis=1), minlength=REJECT) / len(p)
        nz = counts[counts > 0]
        spread = float((nz * np.log(1.0 / nz)).sum() / np.log(REJECT))
        return {"sample_score": float(confident), "class_spread": spread}

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
        """Fraction of labelled images classified as their label."""
        return float((self.probabilities(images).argmax(axis=1) == labels).mean())
