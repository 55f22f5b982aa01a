"""A value map drawn as an RGB image: coloured cells, the value in each cell, greedy arrows and
an optional path, so a headless recording shows what the panel's heatmap shows."""

from __future__ import annotations

import cv2
import numpy as np


def value_image(
    values: np.ndarray,
    arrows: np.ndarray,
    blocked: np.ndarray | None = None,
    path: list[tuple[int, int]] | None = None,
    cell: int = 0,
) -> np.ndarray:
    """An RGB uint8 image of an (H, W) value canvas.

    Args:
        values: (H, W) values, coloured from their min (dark) to their max (bright).
        arrows: (H, W, 2) on-screen (dx, dy) per cell; zero draws no arrow.
        blocked: (H, W) cells drawn dark grey with no value (walls).
        path: (row, col) cells of one episode, drawn as a line.
        cell: pixels per cell; 0 picks one that keeps the image near 480 pixels wide.
    """
    h, w = values.shape
    cell = cell or int(np.clip(480 // w, 12, 64))
    blocked = np.zeros((h, w), bool) if blocked is None else blocked
    shown = values[~blocked]
    lo, hi = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 1.0)
    scaled = (
        np.zeros((h, w), np.uint8) if hi <= lo else ((values - lo) / (hi - lo) * 200 + 30).clip(0, 255).astype(np.uint8)
    )
    rgb = cv2.cvtColor(cv2.applyColorMap(scaled, cv2.COLORMAP_VIRIDIS), cv2.COLOR_BGR2RGB)
    rgb[blocked] = 60
    img = np.ascontiguousarray(np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1))
    img[::cell, :] = 20
    img[:, ::cell] = 20

    def centre(r: int, c: int) -> tuple[int, int]:
        return int(c * cell + cell // 2), int(r * cell + cell // 2)

    for r in range(h):
        for c in range(w):
            dx, dy = arrows[r, c]
            if blocked[r, c] or (dx == 0 and dy == 0):
                continue
            x, y = centre(r, c)
            tip = (int(x + dx * cell * 0.38), int(y + dy * cell * 0.38))
            cv2.arrowedLine(img, (x, y), tip, (255, 255, 255), max(1, cell // 24), cv2.LINE_AA, tipLength=0.4)
    if cell >= 36:
        for r in range(h):
            for c in range(w):
                if not blocked[r, c]:
                    x, y = centre(r, c)
                    cv2.putText(
                        img,
                        f"{values[r, c]:.1f}",
                        (x - cell // 2 + 2, y + cell // 2 - 3),
                        cv2.FONT_HERSHEY_SIMPLEX,
                        cell / 150,
                        (255, 255, 255),
                        1,
                        cv2.LINE_AA,
                    )
    if path:
        pts = np.array([centre(r, c) for r, c in path], dtype=np.int32)
        cv2.polylines(img, [pts], False, (255, 80, 80), max(1, cell // 16), cv2.LINE_AA)
    return img
