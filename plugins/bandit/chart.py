"""The % optimal action curves drawn as an RGB image, so a headless recording shows the comparison."""

from __future__ import annotations

import cv2
import numpy as np

COLORS = [(255, 200, 60), (90, 170, 255), (255, 110, 110), (120, 220, 120), (220, 140, 255), (240, 240, 240)]
W, H, PAD = 480, 300, 30


def curve_chart(curves: np.ndarray, labels: list[str], steps: int) -> np.ndarray:
    """An (H, W, 3) uint8 chart of (agents, t) percentages over a 0..``steps`` x-axis and 0..100% y-axis."""
    img = np.full((H, W, 3), 20, np.uint8)
    x0, x1, y0, y1 = PAD, W - 10, H - PAD, 10
    for pct in (0, 25, 50, 75, 100):
        y = int(y0 + (y1 - y0) * pct / 100)
        cv2.line(img, (x0, y), (x1, y), (60, 60, 60), 1)
        cv2.putText(img, str(pct), (2, y + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (160, 160, 160), 1, cv2.LINE_AA)
    t = curves.shape[1]
    xs = x0 + (x1 - x0) * np.arange(t) / max(steps - 1, 1)
    for i, (curve, label) in enumerate(zip(curves, labels)):
        color = COLORS[i % len(COLORS)]
        ys = y0 + (y1 - y0) * np.clip(curve, 0, 100) / 100
        pts = np.stack([xs, ys], axis=1).astype(np.int32)
        cv2.polylines(img, [pts], False, color, 1, cv2.LINE_AA)
        cv2.putText(img, label, (x0 + 8, y1 + 14 + 14 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.4, color, 1, cv2.LINE_AA)
    cv2.putText(
        img, f"% optimal action, step {t}", (x0, H - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (200, 200, 200), 1, cv2.LINE_AA
    )
    return img
