"""Images for the panels: batches of (N, C, H, W) images tiled into one picture, and a labelled
dataset grid with class counts."""

from __future__ import annotations

import cv2
import numpy as np

from workbench.core.images import tile


def grid(images: np.ndarray, cols: int | None = None, pad: int = 1, fill: float = np.nan) -> np.ndarray:
    """(N, C, H, W) in [0, 1] -> one float32 image, (H', W') for gray or (H', W', 3) for colour;
    ``fill`` between the tiles (NaN: no value, so a view shows its own background there)."""
    hwc = np.clip(np.asarray(images, np.float32), 0.0, 1.0).transpose(0, 2, 3, 1)
    return tile(hwc[..., 0] if hwc.shape[-1] == 1 else hwc, cols=cols, pad=pad, fill=fill)


def labelled_grid(images: np.ndarray, labels: np.ndarray, n: int = 16, scale: int = 3) -> np.ndarray:
    """The first ``n`` images, enlarged ``scale`` times, each with its label in yellow in a corner:
    an (H, W, 3) float32 image whose gaps are NaN (the view's background). Few images with large
    labels: a view a quarter of a laptop screen shows them at a size a person reads."""
    shown = grid(images[:n], fill=np.nan)
    if shown.ndim == 2:
        shown = np.repeat(shown[..., None], 3, axis=2)
    shown = cv2.resize(shown, (shown.shape[1] * scale, shown.shape[0] * scale), interpolation=cv2.INTER_NEAREST)
    cols = int(np.ceil(np.sqrt(min(n, len(images)))))
    h, w = images.shape[2] + 1, images.shape[3] + 1
    size = h * scale / 80  # the label is about a quarter of its tile high
    outline, fill = (np.zeros(shown.shape[:2], np.uint8) for _ in range(2))
    for i, label in enumerate(labels[:n]):
        if label >= 0:
            r, c = divmod(i, cols)
            org = (c * w * scale + 3, r * h * scale + int(22 * size))
            for layer, thickness in ((outline, 4), (fill, 2)):  # yellow on a dark outline: readable on any image
                cv2.putText(layer, str(int(label)), org, cv2.FONT_HERSHEY_SIMPLEX, size, 255, thickness, cv2.LINE_AA)
    dark = (outline / 255.0)[..., None]
    shown = np.where(dark > 0, np.nan_to_num(shown) * (1 - dark), shown)
    yellow = (fill / 255.0)[..., None]
    shown = shown * (1 - yellow) + np.array([1.0, 1.0, 0.0]) * yellow
    return shown.astype(np.float32)


def class_counts(labels: np.ndarray) -> np.ndarray:
    """How many images each class 0..max(label) has, as float32 bars; unknown labels (-1) are skipped."""
    known = labels[labels >= 0]
    return np.bincount(known).astype(np.float32) if len(known) else np.zeros(1, np.float32)
