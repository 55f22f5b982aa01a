"""Images the panel and the GIFs show, drawn with OpenCV so headless recordings carry them too:
frames with the score, saliency overlays, and small bar charts for state vectors."""

from __future__ import annotations

import cv2
import numpy as np

GIF_SIZE = (480, 320)  # width, height of recorded gameplay
CARTPOLE_STATE = ("x", "x'", "angle", "angle'")


def with_score(frame: np.ndarray, score: float, size: tuple[int, int] = GIF_SIZE) -> np.ndarray:
    """An RGB frame resized to ``size`` (width, height) with the score written in the corner."""
    if frame.ndim == 2:
        frame = np.repeat(frame[..., None], 3, axis=2)
    out = cv2.resize(frame, size, interpolation=cv2.INTER_NEAREST)
    text = f"score {score:g}"
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6, 1)
    cv2.rectangle(out, (4, 4), (12 + w, 12 + h), (0, 0, 0), -1)
    cv2.putText(out, text, (8, 8 + h), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 0), 1, cv2.LINE_AA)
    return out


def saliency_overlay(frame: np.ndarray, value_map: np.ndarray, advantage_map: np.ndarray, scale: int = 3) -> np.ndarray:
    """Two copies of a gray frame side by side, the value saliency (left) and the advantage saliency
    (right) drawn in red over them, as in the Dueling DQN paper's Enduro figure."""
    panels = []
    for name, sal in (("value", value_map), ("advantage", advantage_map)):
        gray = np.repeat(frame[..., None].astype(np.float32) / 255.0, 3, axis=2) * 0.6
        heat = sal / (sal.max() + 1e-12)
        gray[..., 0] = np.clip(gray[..., 0] + heat, 0.0, 1.0)
        img = cv2.resize((gray * 255).astype(np.uint8), None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        cv2.putText(img, name, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
        panels.append(img)
    gap = np.zeros((panels[0].shape[0], 4, 3), dtype=np.uint8)
    return np.concatenate([panels[0], gap, panels[1]], axis=1)


def bar_chart(names: tuple[str, ...], series: list[tuple[str, np.ndarray, tuple[int, int, int]]],
              size: tuple[int, int] = (320, 200)) -> np.ndarray:
    """Grouped vertical bars, one group per name; each series' values are scaled by its largest
    magnitude, so bars show relative sizes and signs (up: positive)."""
    w, h = size
    img = np.full((h, w, 3), 255, dtype=np.uint8)
    mid, top = h // 2 + 10, 22
    cv2.line(img, (0, mid), (w, mid), (160, 160, 160), 1)
    group = w // len(names)
    bar = max(group // (len(series) + 1), 2)
    for j, (label, values, colour) in enumerate(series):
        peak = np.abs(values).max() + 1e-12
        cv2.putText(img, label, (4 + 110 * j, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv2.LINE_AA)
        for i, v in enumerate(values):
            x = i * group + bar // 2 + j * bar
            y = int(mid - (v / peak) * (mid - top))
            cv2.rectangle(img, (x, min(mid, y)), (x + bar - 2, max(mid, y)), colour, -1)
    for i, name in enumerate(names):
        cv2.putText(img, name, (i * group + 4, h - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return img
