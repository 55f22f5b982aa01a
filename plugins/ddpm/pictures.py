"""The images the DDPM views show, drawn with OpenCV so headless recordings carry the labels:
sample grids, the reverse strip, and the forward-process panel with its SNR curve."""

from __future__ import annotations

import cv2
import numpy as np

from workbench.core.images import tile

SCALE = 4  # screen pixels per image pixel
WHITE = (255, 255, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def to_rgb8(batch: np.ndarray) -> np.ndarray:
    """(N, C, H, W) floats in [-1, 1] to (N, H, W, 3) uint8."""
    x = np.clip((batch + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)
    return np.repeat(x, 3, axis=3) if x.shape[3] == 1 else x


def upscale(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    return cv2.resize(img, (img.shape[1] * scale, img.shape[0] * scale), interpolation=cv2.INTER_NEAREST)


def grid(batch: np.ndarray, cols: int | None = None, scale: int = 2) -> np.ndarray:
    """A sample grid: (N, C, H, W) in [-1, 1] to one uint8 RGB image."""
    return upscale(tile(to_rgb8(batch), cols=cols, pad=1, fill=40), scale)


def strip(rows: list[list[np.ndarray]]) -> np.ndarray:
    """A reverse strip: ``rows`` of (C, H, W) frames in [-1, 1], one column per timestep (the
    view writes the timesteps over the columns, at a size that reads)."""
    frames = np.stack([np.stack(r) for r in rows])  # (rows, columns, C, H, W)
    return upscale(tile(to_rgb8(frames.reshape(-1, *frames.shape[2:])), cols=frames.shape[1], pad=1, fill=40))


def forward_panel(x0: np.ndarray, xt: np.ndarray, t: int, log_snr: np.ndarray) -> np.ndarray:
    """x_0 beside x_t, with t and the SNR written over them and log10 SNR against t plotted below
    with a marker at t, so dragging t shows where on the schedule the image sits."""
    pair = upscale(
        np.concatenate([to_rgb8(x0[None])[0], np.full((x0.shape[1], 1, 3), 40, np.uint8), to_rgb8(xt[None])[0]], 1), 6
    )
    w = pair.shape[1]
    head = np.zeros((26, w, 3), np.uint8)
    cv2.putText(head, f"t={t}  SNR={10 ** log_snr[t]:.3g}", (3, 19), FONT, 0.6, WHITE, 1, cv2.LINE_AA)
    plot = np.zeros((70, w, 3), np.uint8)
    lo, hi = float(log_snr.min()), float(log_snr.max())
    xs = np.linspace(4, w - 5, len(log_snr))
    ys = 62 - (log_snr - lo) / max(hi - lo, 1e-9) * 54
    cv2.polylines(plot, [np.stack([xs, ys], 1).astype(np.int32)], False, (120, 180, 255), 1, cv2.LINE_AA)
    cv2.circle(plot, (int(xs[t]), int(ys[t])), 4, (255, 200, 0), -1, cv2.LINE_AA)
    cv2.putText(plot, "log10 SNR over t", (4, 16), FONT, 0.5, WHITE, 1, cv2.LINE_AA)
    return np.concatenate([head, pair, plot])
