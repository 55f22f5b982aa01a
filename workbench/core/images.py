"""Small image helpers trainers use to build what views show: tiling batches into one grid."""

from __future__ import annotations

import math

import cv2
import numpy as np


def tile(batch: np.ndarray, cols: int | None = None, pad: int = 1, fill: float = 0.0) -> np.ndarray:
    """Tile (N, H, W) or (N, H, W, C) images into one (rows*H, cols*W[, C]) image with padding.

    Example:
        >>> tile(np.ones((4, 2, 2)), cols=2, pad=0).shape
        (4, 4)
    """
    batch = np.asarray(batch)
    if batch.ndim not in (3, 4):
        raise ValueError(f"tile expects (N, H, W) or (N, H, W, C), got shape {batch.shape}")
    n, h, w = batch.shape[:3]
    cols = cols or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, *batch.shape[3:]), fill, dtype=batch.dtype)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = batch[i]
    return out


def fit_width(frame: np.ndarray, width: int) -> np.ndarray:
    """``frame`` shrunk (area-averaged) to at most ``width`` pixels across, aspect kept: a
    view shows no more, and every extra pixel is sent from the trainer process to the panel."""
    if frame.shape[1] <= width:
        return frame
    height = round(frame.shape[0] * width / frame.shape[1])
    return cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
