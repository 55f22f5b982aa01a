"""Turning lens tensors into images a view shows: float32 in [0, 1], (H, W) gray or (H, W, 3) RGB.

The gaps between the tiles of a grid, and the empty cells after its last tile, are ``GAP``
(NaN): no value, so a view draws its own background there, dark or light, never white bars.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from workbench.core.images import tile

GAP = np.nan  # between tiles: not a value, drawn as the view's background


def as_numpy(a: torch.Tensor | np.ndarray) -> np.ndarray:
    """A float32 numpy copy of a tensor or array."""
    return a.detach().cpu().float().numpy() if isinstance(a, torch.Tensor) else np.asarray(a, dtype=np.float32)


def unit(a: torch.Tensor | np.ndarray) -> np.ndarray:
    """Stretch ``a`` to [0, 1] from its own minimum to maximum (all zeros when it is flat)."""
    a = as_numpy(a)
    lo, hi = float(a.min()), float(a.max())
    return np.zeros_like(a) if hi <= lo else (a - lo) / (hi - lo)


def signed(a: torch.Tensor | np.ndarray) -> np.ndarray:
    """Map ``a`` to [0, 1] with zero at mid-gray and the largest magnitude at 0 or 1."""
    a = as_numpy(a)
    peak = float(np.abs(a).max())
    return np.full_like(a, 0.5) if peak == 0 else 0.5 + 0.5 * a / peak


def picture(chw: np.ndarray) -> np.ndarray:
    """One (C, H, W) input as a picture: RGB for 3 channels, gray for 1, else the channel mean."""
    chw = np.asarray(chw, dtype=np.float32)
    if chw.shape[0] == 3:
        return chw.transpose(1, 2, 0)
    return chw[0] if chw.shape[0] == 1 else chw.mean(axis=0)


def backdrop(chw: np.ndarray) -> np.ndarray:
    """The picture a heatmap is laid over, stretched to [0, 1]: RGB, gray, or the newest
    (last) frame of a frame stack."""
    chw = np.asarray(chw, dtype=np.float32)
    return unit(chw.transpose(1, 2, 0) if chw.shape[0] == 3 else chw[-1])


def rgb(img: np.ndarray) -> np.ndarray:
    """Gray (H, W) as (H, W, 3); RGB unchanged."""
    return np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img


def filter_grid(weight: torch.Tensor, feature: int | None = None) -> np.ndarray:
    """A conv layer's filters (O, I, kh, kw) as a grid, zero at mid-gray, on one scale for the layer.

    Filters over 1 or 3 channels are gray or RGB tiles, one per feature (``feature`` framed in
    red). Past the first layer, a feature's filter is one kernel per input channel: with
    ``feature`` the grid holds that feature's kernels, else one row per feature.
    """
    w = signed(weight)
    o, i = w.shape[:2]
    if i in (1, 3):
        cells = w[:, 0] if i == 1 else w.transpose(0, 2, 3, 1)
        return tile(cells, pad=1, fill=GAP) if feature is None else framed(cells, feature)
    if feature is not None:
        return tile(w[feature], pad=1, fill=GAP)
    return tile(w.reshape(o * i, *w.shape[2:]), cols=i, pad=1, fill=GAP)


def framed(cells: np.ndarray, mark: int) -> np.ndarray:
    """``cells`` (N, h, w[, 3]) tiled as ``tile`` does, in RGB, with a red frame around cell ``mark``."""
    h, w = cells.shape[1:3]
    r, c = divmod(mark, int(np.ceil(np.sqrt(len(cells)))))
    grid = np.pad(rgb(tile(cells, pad=1, fill=GAP)), ((1, 1), (1, 1), (0, 0)), constant_values=GAP)
    y, x = r * (h + 1), c * (w + 1)  # the cell's top-left corner minus one, in the padded grid
    grid[y : y + h + 2, [x, x + w + 1]] = grid[[y, y + h + 1], x : x + w + 2] = (1.0, 0.0, 0.0)
    return grid


def feature_grid(act: torch.Tensor, mark: int | None = None) -> np.ndarray:
    """One input's feature maps (C, h, w) as a grid, on one scale so weak features look weak.

    With ``mark``, the grid is RGB with a red frame around that feature's map.
    """
    a = as_numpy(act)
    lo, hi = min(float(a.min()), 0.0), float(a.max())
    cells = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return tile(cells, pad=1, fill=GAP) if mark is None else framed(cells, mark)


def heat_overlay(image: np.ndarray, heat: torch.Tensor | np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """``heat`` (H, W) stretched to [0, 1], coloured with the jet map and blended over ``image``."""
    colours = cv2.applyColorMap(np.uint8(255 * unit(heat)), cv2.COLORMAP_JET)[..., ::-1] / 255.0
    return ((1 - alpha) * rgb(np.asarray(image, dtype=np.float32)) + alpha * colours).astype(np.float32)


def side_by_side(*images: np.ndarray, pad: int = 2) -> np.ndarray:
    """Images of one height next to each other, gray promoted to RGB when any is RGB."""
    colour = any(img.ndim == 3 for img in images)
    parts = [rgb(img) if colour else img for img in images]
    gap = np.full((parts[0].shape[0], pad, *parts[0].shape[2:]), GAP, dtype=np.float32)
    out = [parts[0]]
    for p in parts[1:]:
        out += [gap, p]
    return np.concatenate(out, axis=1).astype(np.float32)


def upscale(img: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement, so small filters and maps stay crisp."""
    return np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)
