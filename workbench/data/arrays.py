"""Turning any stack of images into the one format every loader returns: float32 (N, C, H, W) in [0, 1]."""

from __future__ import annotations

import cv2
import numpy as np

from workbench.data.checks import check_images


def to_nchw(images: np.ndarray, source: str) -> np.ndarray:
    """(N, H, W), (N, H, W, C) or (N, C, H, W) with C in 1, 3, 4 -> float32 (N, C, H, W) in [0, 1].

    uint8 and integer arrays are divided by 255; float arrays may hold [0, 1] or [0, 255].

    Raises:
        ValueError: for other shapes, no images, values outside [0, 255], or arrays outside
            ``checks``' limits (complex pixels, sides over 4096, over 4 GiB as float32).
    """
    a = np.asarray(images)
    if a.ndim == 3:
        a = a[:, None]
    elif a.ndim == 4 and a.shape[-1] in (1, 3, 4) and a.shape[1] not in (1, 3, 4):
        a = np.moveaxis(a, -1, 1)
    elif not (a.ndim == 4 and a.shape[1] in (1, 3, 4)):
        raise ValueError(f"{source}: images of shape {a.shape} are not (N, H, W), (N, H, W, C) or (N, C, H, W)")
    if len(a) == 0:
        raise ValueError(f"{source}: holds no images")
    check_images(a.shape, a.dtype, source)
    if a.shape[1] == 4:
        a = a[:, :3]
    out = a.astype(np.float32)
    lo, hi = float(out.min()), float(out.max())
    if lo < 0.0 or hi > 255.0 or not np.isfinite(out).all():
        raise ValueError(f"{source}: pixel values span [{lo}, {hi}]; allowed are [0, 1] or [0, 255]")
    if np.issubdtype(a.dtype, np.integer) or hi > 1.0:
        out /= 255.0
    return np.ascontiguousarray(out)


def resize(images: np.ndarray, size: int | None) -> np.ndarray:
    """Square (N, C, H, W) images resized to ``size`` x ``size`` (non-square ones centre-cropped first)."""
    n, c, h, w = images.shape
    if h != w:
        s = min(h, w)
        top, left = (h - s) // 2, (w - s) // 2
        images = images[:, :, top : top + s, left : left + s]
        h = w = s
    if size is None or size == h:
        return np.ascontiguousarray(images)
    interp = cv2.INTER_AREA if size < h else cv2.INTER_LINEAR
    out = np.empty((n, c, size, size), dtype=np.float32)
    for i in range(n):
        out[i] = (
            cv2.resize(np.moveaxis(images[i], 0, -1), (size, size), interpolation=interp)
            .reshape(size, size, c)
            .transpose(2, 0, 1)
        )
    return np.clip(out, 0.0, 1.0)


def set_channels(images: np.ndarray, channels: int, seed: int) -> np.ndarray:
    """Gray <-> colour. Gray to colour tints each image: a random bright stroke colour on a random
    dark background, so colour models have colour to learn; colour to gray takes the luminance."""
    c = images.shape[1]
    if c == channels:
        return images
    if channels == 1:
        weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)[None, :, None, None]
        return (images * weights).sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed + 7919)
    hsv = np.stack(
        [rng.uniform(0, 180, len(images)), rng.uniform(150, 255, len(images)), np.full(len(images), 255.0)], axis=1
    )
    fg = cv2.cvtColor(hsv.astype(np.uint8)[None], cv2.COLOR_HSV2RGB)[0].astype(np.float32) / 255.0
    bg = rng.uniform(0.0, 0.25, (len(images), 3)).astype(np.float32)
    g = images[:, :1]
    return (bg[:, :, None, None] * (1.0 - g) + fg[:, :, None, None] * g).astype(np.float32)


def subsample(
    images: np.ndarray, labels: np.ndarray, n: int | None, seed: int, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images drawn without replacement (all of them, in order, for n=None)."""
    if n is None:
        return images, labels
    if n > len(images):
        raise ValueError(f"n={n} is more than the {len(images)} images {source} holds")
    idx = np.sort(np.random.default_rng(seed).choice(len(images), n, replace=False))
    return images[idx], labels[idx]
