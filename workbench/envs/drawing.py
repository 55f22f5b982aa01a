"""Drawing small grid worlds as RGB frames with OpenCV, shared by Workbench's grid environments."""

from __future__ import annotations

import cv2
import numpy as np

CELL = 40  # pixels per grid cell

# (R, G, B) colours of cell kinds
FLOOR = (235, 235, 235)
WALL = (60, 60, 60)
START = (190, 215, 250)
TERMINAL = (170, 170, 170)
GOAL = (120, 200, 120)
PIT = (220, 110, 110)
AGENT = (40, 90, 200)

# (dx, dy) on screen of the headings up, right, down, left
HEADINGS = np.array([[0, -1], [1, 0], [0, 1], [-1, 0]])


def draw_grid(colors: np.ndarray, agent: tuple[int, int] | None = None, heading: int | None = None) -> np.ndarray:
    """An (H*CELL, W*CELL, 3) uint8 frame of cells filled with ``colors`` (H, W, 3), grid lines,
    and the agent at (row, col) as a disc, or as a triangle pointing along ``heading``."""
    h, w = colors.shape[:2]
    img = np.repeat(np.repeat(np.asarray(colors, dtype=np.uint8), CELL, axis=0), CELL, axis=1)
    img[::CELL, :] = 150
    img[:, ::CELL] = 150
    img[-1, :] = 150
    img[:, -1] = 150
    if agent is not None:
        r, c = agent
        centre = np.array([c * CELL + CELL // 2, r * CELL + CELL // 2])
        if heading is None:
            cv2.circle(img, tuple(int(v) for v in centre), CELL // 3, AGENT, -1, cv2.LINE_AA)
        else:
            fwd, side = HEADINGS[heading], HEADINGS[(heading + 1) % 4]
            tip = centre + fwd * (CELL * 0.38)
            back = centre - fwd * (CELL * 0.28)
            pts = np.array([tip, back + side * CELL * 0.28, back - side * CELL * 0.28], dtype=np.int32)
            cv2.fillPoly(img, [pts], AGENT, cv2.LINE_AA)
    return img
