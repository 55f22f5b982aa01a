"""Images the panel and the GIFs show, drawn with OpenCV so headless recordings carry them too:
frames with the score and saliency overlays; and the action names the Q bars are labelled with."""

from __future__ import annotations

import cv2
import numpy as np

GIF_SIZE = (480, 320)  # width, height of recorded gameplay
CARTPOLE_ACTIONS = ("push left", "push right")
ALE_ACTIONS = (
    "NOOP",
    "FIRE",
    "UP",
    "RIGHT",
    "LEFT",
    "DOWN",
    "UPRIGHT",
    "UPLEFT",
    "DOWNRIGHT",
    "DOWNLEFT",
    "UPFIRE",
    "RIGHTFIRE",
    "LEFTFIRE",
    "DOWNFIRE",
    "UPRIGHTFIRE",
    "UPLEFTFIRE",
    "DOWNRIGHTFIRE",
    "DOWNLEFTFIRE",
)
ACTION_NAMES = CARTPOLE_ACTIONS + ALE_ACTIONS
"""The names the Q bars pick from (plugin.toml's ``labels`` of the Q-values view holds the same list)."""


def action_ids(meanings: tuple[str, ...] | list[str]) -> np.ndarray:
    """Each action's index in ``ACTION_NAMES`` (sent once to the panel, which holds no strings)."""
    return np.array([ACTION_NAMES.index(m) for m in meanings], dtype=np.int64)


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
    (right) drawn in red over them, as in the Dueling DQN paper's Enduro figure (the view's title
    names them: text drawn into the image would be too small to read)."""
    panels = []
    for sal in (value_map, advantage_map):
        gray = np.repeat(frame[..., None].astype(np.float32) / 255.0, 3, axis=2) * 0.6
        heat = sal / (sal.max() + 1e-12)
        gray[..., 0] = np.clip(gray[..., 0] + heat, 0.0, 1.0)
        img = cv2.resize((gray * 255).astype(np.uint8), None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        panels.append(img)
    gap = np.zeros((panels[0].shape[0], 4, 3), dtype=np.uint8)
    return np.concatenate([panels[0], gap, panels[1]], axis=1)
