"""The 2-D toy: a ring of Gaussians (as in Metz et al.'s unrolled-GAN experiments), drawn as GAN Lab
does: the discriminator's decision surface behind real (white) and generated (orange) points.

A generator that covers only some of the rings's modes, or hops between them, shows mode collapse.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

RADIUS, STD, EXTENT, PIXELS = 2.0, 0.05, 3.0, 256
REAL, FAKE, PATH = (255, 255, 255), (255, 140, 0), (255, 255, 0)


def centres(modes: int) -> np.ndarray:
    angles = 2 * np.pi * np.arange(modes) / modes
    return RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)


def sample(modes: int, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points of the mixture and the mode each came from."""
    which = torch.randint(0, modes, (n,), generator=generator)
    points = torch.from_numpy(centres(modes))[which] + STD * torch.randn(n, 2, generator=generator)
    return points, which


def score(points: np.ndarray, modes: int) -> dict[str, float]:
    """The toy's counterparts of the digits scorer: ``sample_score`` is the fraction of points within
    4 standard deviations of a mode, ``class_spread`` the entropy of their modes over log(modes)."""
    d = np.linalg.norm(points[:, None, :] - centres(modes)[None], axis=2)
    good = d.min(axis=1) < 4 * STD
    counts = np.bincount(d.argmin(axis=1)[good], minlength=modes) / max(1, good.sum())
    nz = counts[counts > 0]
    spread = float((nz * np.log(1.0 / nz)).sum() / np.log(modes)) if modes > 1 else float(good.any())
    return {"sample_score": float(good.mean()), "class_spread": spread}


def to_pixels(points: np.ndarray) -> np.ndarray:
    """Plane coordinates in [-EXTENT, EXTENT] -> pixel (x, y), y pointing up."""
    xy = (points / EXTENT + 1.0) * 0.5 * (PIXELS - 1)
    xy[:, 1] = PIXELS - 1 - xy[:, 1]
    return np.round(xy).astype(np.int32)


@torch.no_grad()
def decision_surface(discriminator: torch.nn.Module, device: torch.device) -> np.ndarray:
    """D's probability of "real" over the plane as an RGB image: purple for fake, green for real."""
    axis = torch.linspace(-EXTENT, EXTENT, 64, device=device)
    gy, gx = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    p = torch.sigmoid(discriminator(torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1))).reshape(64, 64).cpu().numpy()
    p = cv2.resize(p, (PIXELS, PIXELS), interpolation=cv2.INTER_LINEAR)[..., None]
    fake, real = np.array([90, 40, 110], np.float32), np.array([30, 120, 60], np.float32)
    return (fake * (1 - p) + real * p).astype(np.uint8)


def plot(
    background: np.ndarray, real: np.ndarray | None = None, fake: np.ndarray | None = None, paths: list[np.ndarray] = ()
) -> np.ndarray:
    """Draw points and polylines onto a copy of an (H, W, 3) uint8 background."""
    img = background.copy()
    for points, colour in ((real, REAL), (fake, FAKE)):
        if points is not None:
            for x, y in to_pixels(points):
                cv2.circle(img, (int(x), int(y)), 1, colour, -1, cv2.LINE_AA)
    for path in paths:
        cv2.polylines(img, [to_pixels(path)], False, PATH, 1, cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in to_pixels(path[:1])[0]), 3, PATH, -1, cv2.LINE_AA)
    return img
