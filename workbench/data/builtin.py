"""The image sets that ship with the project or are generated in it: nothing is downloaded.

- ``digits``: scikit-learn's bundled 8x8 handwritten digits (1,797 real images), upscaled.
- ``glyphs``: MNIST-like digits rendered with OpenCV's Hershey fonts under random affine jitter,
  stroke width, blur and noise, centred by their centre of mass in a 20/28 box as MNIST is.
- ``shapes``: dSprites-like white shapes on black with known factors (shape, scale, rotation,
  position), for judging whether a latent space found them.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path

import cv2
import numpy as np

FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
)
SHAPES = ("square", "ellipse", "heart")
DIGITS_CSV = Path("datasets", "data", "digits.csv.gz")  # inside the installed sklearn package
_CANVAS = 96  # glyphs and shapes are drawn large, then reduced: smooth, anti-aliased edges


def _digits_table(path: Path) -> np.ndarray:
    """The digits as scikit-learn ships them, (1797, 65): 64 pixel values 0..16, then the label.

    Read from the file itself: importing scikit-learn for ``load_digits`` took 0.7 s of every
    run's start, against 6 ms for the file. A scikit-learn that keeps it elsewhere still works.
    """
    if path.exists():
        with gzip.open(path) as f:
            return np.loadtxt(f, delimiter=",")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return np.column_stack([bunch.data, bunch.target])


@functools.lru_cache(maxsize=4)
def digits(path: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 sklearn digits as (N, 1, 10, 10) in [0, 1]: the 8x8 images with a one-pixel
    border, so an upscaled digit fills about the same share of its frame as an MNIST digit."""
    table = _digits_table(path or Path(importlib.util.find_spec("sklearn").origin).parent / DIGITS_CSV)
    images = np.pad(table[:, :64].reshape(-1, 8, 8).astype(np.float32) / 16.0, ((0, 0), (1, 1), (1, 1)))
    images.setflags(write=False)
    labels = table[:, 64].astype(np.int64)
    labels.setflags(write=False)
    return images[:, None], labels


def _centred(glyph: np.ndarray, size: int) -> np.ndarray:
    """Fit a glyph's bounding box into (20/28)*size keeping its aspect ratio, then place its centre
    of mass at the image centre: the MNIST normalisation."""
    ys, xs = np.nonzero(glyph > 0.05)
    if len(ys) == 0:
        return np.zeros((size, size), np.float32)
    crop = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    box = max(2, round(size * 20 / 28))
    scale = box / max(crop.shape)
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
    m = cv2.moments(small)
    cy, cx = (m["m01"] / m["m00"], m["m10"] / m["m00"]) if m["m00"] > 0 else (h / 2, w / 2)
    shift = np.float32([[1, 0, size / 2 - cx], [0, 1, size / 2 - cy]])
    return cv2.warpAffine(small, shift, (size, size), flags=cv2.INTER_LINEAR)


@functools.lru_cache(maxsize=4)
def glyphs(n: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rendered digits as (n, 1, size, size) in [0, 1] with their labels 0..9."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.int64)
    out = np.empty((n, 1, size, size), np.float32)
    for i, digit in enumerate(labels):
        font = FONTS[rng.integers(len(FONTS))] | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
        canvas = np.zeros((_CANVAS, _CANVAS), np.uint8)
        thickness = int(rng.integers(2, 8))
        (tw, th), _ = cv2.getTextSize(str(digit), font, 2.0, thickness)
        org = ((_CANVAS - tw) // 2, (_CANVAS + th) // 2)
        cv2.putText(canvas, str(digit), org, font, 2.0, 255, thickness, cv2.LINE_AA)
        angle, shear = rng.uniform(-15, 15), rng.uniform(-0.3, 0.3)
        affine = cv2.getRotationMatrix2D((_CANVAS / 2, _CANVAS / 2), angle, rng.uniform(0.8, 1.1))
        affine[:, :2] = affine[:, :2] @ np.array([[1.0, shear], [0.0, rng.uniform(0.85, 1.15)]])
        canvas = cv2.warpAffine(canvas, affine, (_CANVAS, _CANVAS), flags=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        img = _centred(canvas, size)
        img = cv2.GaussianBlur(img, (3, 3), rng.uniform(0.1, 0.7))
        img = img * rng.uniform(0.8, 1.0) + rng.normal(0.0, rng.uniform(0.0, 0.05), img.shape)
        out[i, 0] = np.clip(img, 0.0, 1.0)
    out.setflags(write=False)
    labels.setflags(write=False)
    return out, labels


def _draw_shape(kind: int, scale: float, angle: float, x: float, y: float) -> np.ndarray:
    canvas = np.zeros((_CANVAS, _CANVAS), np.uint8)
    r = scale * _CANVAS / 2
    cx, cy = x * _CANVAS, y * _CANVAS
    if SHAPES[kind] == "square":
        pts = cv2.boxPoints(((cx, cy), (1.6 * r, 1.6 * r), angle))
    elif SHAPES[kind] == "ellipse":
        pts = cv2.ellipse2Poly((round(cx), round(cy)), (round(r), round(0.55 * r)), round(angle), 0, 360, 5)
    else:
        t = np.linspace(0, 2 * np.pi, 80)
        hx, hy = 16 * np.sin(t) ** 3, -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        a = np.deg2rad(angle)
        px, py = hx * np.cos(a) - hy * np.sin(a), hx * np.sin(a) + hy * np.cos(a)
        pts = np.stack([cx + px * r / 16, cy + py * r / 16], axis=1)
    cv2.fillPoly(canvas, [np.round(pts).astype(np.int32)], 255, cv2.LINE_AA)
    return canvas


@functools.lru_cache(maxsize=4)
def shapes(n: int, size: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``n`` shapes as (n, 1, size, size) and their factors: shape (0 square, 1 ellipse, 2 heart),
    scale in [0.15, 0.3] of the frame, rotation in degrees [0, 360), centre x and y in [0.3, 0.7]."""
    rng = np.random.default_rng(seed)
    factors = {
        "shape": rng.integers(0, len(SHAPES), n).astype(np.int64),
        "scale": rng.uniform(0.15, 0.3, n).astype(np.float32),
        "rotation": rng.uniform(0.0, 360.0, n).astype(np.float32),
        "x": rng.uniform(0.3, 0.7, n).astype(np.float32),
        "y": rng.uniform(0.3, 0.7, n).astype(np.float32),
    }
    out = np.empty((n, 1, size, size), np.float32)
    for i in range(n):
        big = _draw_shape(
            int(factors["shape"][i]),
            float(factors["scale"][i]),
            float(factors["rotation"][i]),
            float(factors["x"][i]),
            float(factors["y"][i]),
        )
        out[i, 0] = cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA) / 255.0
    out.setflags(write=False)
    for v in factors.values():
        v.setflags(write=False)
    return out, factors
