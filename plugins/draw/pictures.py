"""The images DRAW's views show: canvases after every step with the read (green) and write (red)
attention boxes drawn over them with OpenCV, so headless recordings carry the boxes too. Grids
are floats in [0, 1] with NaN gaps, which the views draw in the theme's background."""

from __future__ import annotations

import cv2
import numpy as np

from workbench.core.images import tile

SCALE = 4
READ, WRITE = (60, 220, 60), (240, 60, 60)


def canvas(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """(C, H, W) in [0, 1] to an upscaled (H*scale, W*scale, 3) uint8 image."""
    x = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8).transpose(1, 2, 0)
    x = np.repeat(x, 3, axis=2) if x.shape[2] == 1 else np.ascontiguousarray(x)
    return cv2.resize(x, (x.shape[1] * scale, x.shape[0] * scale), interpolation=cv2.INTER_NEAREST)


def draw_box(img: np.ndarray, where: np.ndarray, n: int, colour: tuple[int, int, int], scale: int = SCALE) -> None:
    """Outline a glimpse in place: the square through its outer filter centres, padded by one σ.
    ``where`` is (gx, gy, δ, σ) in image pixels."""
    gx, gy, delta, sigma = (float(v) for v in where)
    half = delta * (n - 1) / 2 + sigma
    p0 = (int(round((gx - half + 0.5) * scale)), int(round((gy - half + 0.5) * scale)))
    p1 = (int(round((gx + half + 0.5) * scale)), int(round((gy + half + 0.5) * scale)))
    cv2.rectangle(img, p0, p1, colour, 1, cv2.LINE_AA)
    cv2.circle(img, (int(round((gx + 0.5) * scale)), int(round((gy + 0.5) * scale))), 2, colour, -1, cv2.LINE_AA)


def frame(img: np.ndarray, read: np.ndarray | None, write: np.ndarray | None, read_n: int, write_n: int) -> np.ndarray:
    """One canvas with its boxes (either may be None)."""
    out = canvas(img)
    if read is not None:
        draw_box(out, read, read_n, READ)
    if write is not None:
        draw_box(out, write, write_n, WRITE)
    return out


def sheet(cells: list[np.ndarray], cols: int | None = None) -> np.ndarray:
    """uint8 (H, W, 3) cells tiled into one float image in [0, 1], NaN between them."""
    return tile(np.stack(cells).astype(np.float32) / 255.0, cols=cols, pad=2, fill=np.nan)


def strip(
    canvases: np.ndarray,
    reads: np.ndarray | None,
    writes: np.ndarray | None,
    read_n: int,
    write_n: int,
    first: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of images, columns of steps: ``canvases`` (T, B, C, H, W) in [0, 1]; ``reads`` and
    ``writes`` (T, B, 4) or None. ``first``, (B, C, H, W), adds a leading column (the input)."""
    steps, rows = canvases.shape[:2]
    cells = []
    for b in range(rows):
        if first is not None:
            cells.append(canvas(first[b]))
        for t in range(steps):
            cells.append(
                frame(
                    canvases[t, b],
                    None if reads is None else reads[t, b],
                    None if writes is None else writes[t, b],
                    read_n,
                    write_n,
                )
            )
    return sheet(cells, cols=steps + (first is not None))


def writing_frames(canvases: np.ndarray, writes: np.ndarray | None, write_n: int, hold: int = 6) -> list[np.ndarray]:
    """The animation of a batch being written: one grid per step with its write boxes, then the
    final canvases held for ``hold`` frames."""
    frames = [
        sheet(
            [
                frame(canvases[t, b], None, None if writes is None else writes[t, b], 0, write_n)
                for b in range(canvases.shape[1])
            ]
        )
        for t in range(len(canvases))
    ]
    last = sheet([canvas(c) for c in canvases[-1]])
    return frames + [last] * hold
