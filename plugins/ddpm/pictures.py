"""The images the DDPM views show: sample grids, the reverse strip and the forward pair, floats in
[0, 1] with NaN gaps (the views draw them in the theme's background), and the points of the SNR
schedule, which a plotted view names on its axes."""

from __future__ import annotations

import cv2
import numpy as np

from workbench.core.images import tile

SCALE = 4  # screen pixels per image pixel
SNR_POINTS = 200  # points drawn along the schedule
SCHEDULE, SHOWN = 0, 1  # the SNR points' labels: the schedule, and the t the forward view shows


def to_unit(batch: np.ndarray) -> np.ndarray:
    """(N, C, H, W) floats in [-1, 1] to (N, H, W) gray or (N, H, W, 3) colour in [0, 1]."""
    x = np.clip((np.asarray(batch, np.float32) + 1.0) / 2.0, 0.0, 1.0).transpose(0, 2, 3, 1)
    return x[..., 0] if x.shape[3] == 1 else x


def upscale(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    return cv2.resize(img, (img.shape[1] * scale, img.shape[0] * scale), interpolation=cv2.INTER_NEAREST)


def grid(batch: np.ndarray, cols: int | None = None, scale: int = 2) -> np.ndarray:
    """A sample grid: (N, C, H, W) in [-1, 1] to one image."""
    return upscale(tile(to_unit(batch), cols=cols, pad=1, fill=np.nan), scale)


def strip(rows: list[list[np.ndarray]]) -> np.ndarray:
    """A reverse strip: ``rows`` of (C, H, W) frames in [-1, 1], one column per timestep (the
    view writes the timesteps over the columns, at a size that reads)."""
    frames = np.stack([np.stack(r) for r in rows])  # (rows, columns, C, H, W)
    return upscale(tile(to_unit(frames.reshape(-1, *frames.shape[2:])), cols=frames.shape[1], pad=1, fill=np.nan))


def forward_pair(x0: np.ndarray, xt: np.ndarray) -> np.ndarray:
    """x_0 beside x_t, (C, H, W) in [-1, 1]: two equal columns, which the view names by timestep."""
    return upscale(tile(to_unit(np.stack([x0, xt])), cols=2, pad=1, fill=np.nan), 6)


def snr_points(log_snr: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2) points (t, log10 SNR) along the schedule, then a vertical line of points at the
    shown ``t`` (one point would be lost among the schedule's), and their labels."""
    ts = np.unique(np.linspace(0, len(log_snr) - 1, SNR_POINTS).round().astype(np.int64))
    line = np.linspace(log_snr.min(), log_snr.max(), SNR_POINTS // 8)
    points = np.concatenate([np.stack([ts, log_snr[ts]], axis=1), np.stack([np.full_like(line, t), line], axis=1)])
    labels = np.concatenate([np.full(len(ts), SCHEDULE), np.full(len(line), SHOWN)]).astype(np.int64)
    return points.astype(np.float32), labels
