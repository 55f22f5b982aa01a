"""Samples drawn as text: each character on a cell whose colour is the probability the model gave
it, with the prompt greyed, so a person sees where the model was sure. Only the characters are
drawn, in short lines, so the view shows them large; the colours' meaning is in its title. Outside
the cells the picture is NaN, which the view draws in the theme's background."""

from __future__ import annotations

import functools

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from workbench_plugins.sequence.charnames import visible

COLS = 32  # characters per line before wrapping: short lines fill a view with large characters
CELL_W, CELL_H, FONT_PX = 12, 21, 17
MARGIN = 8
PROMPT_BG = (70, 70, 70)


@functools.lru_cache(maxsize=1)
def font() -> ImageFont.ImageFont:
    """DejaVu Sans Mono where the system has it; Pillow's own font otherwise (cells keep it monospaced)."""
    try:
        return ImageFont.truetype("DejaVuSansMono.ttf", FONT_PX)
    except OSError:
        return ImageFont.load_default(size=FONT_PX)


def probability_colours(p: np.ndarray) -> np.ndarray:
    """(N, 3) RGB of probabilities in [0, 1] on the viridis map (dark purple: unlikely, yellow: sure)."""
    levels = np.clip(np.asarray(p, dtype=float) * 255.0, 0, 255).astype(np.uint8)
    bgr = cv2.applyColorMap(levels.reshape(-1, 1), cv2.COLORMAP_VIRIDIS).reshape(-1, 3)
    return bgr[:, ::-1]


def layout(text: str, cols: int = COLS) -> list[tuple[int, int]]:
    """(row, col) of each character: lines wrap at ``cols`` and after a newline (drawn as a mark)."""
    at, row, col = [], 0, 0
    for ch in text:
        if col == cols:
            row, col = row + 1, 0
        at.append((row, col))
        col += 1
        if ch == "\n":
            row, col = row + 1, 0
    return at


def text_image(blocks: list[tuple[str, str, np.ndarray]]) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1], NaN outside the cells: each (prompt, sample, probabilities)
    block, a blank line between them. Characters on light cells are drawn black, on dark cells white."""
    placed = [layout(prompt + sample) for prompt, sample, _ in blocks]
    rows = [(at[-1][0] + 1 if at else 1) for at in placed]
    size = (2 * MARGIN + COLS * CELL_W, MARGIN + CELL_H * (sum(rows) + len(blocks) - 1) + MARGIN)
    img, cells = Image.new("RGB", size), Image.new("L", size)
    draw, mark = ImageDraw.Draw(img), ImageDraw.Draw(cells)
    top = MARGIN
    for (prompt, sample, probs), at, n_rows in zip(blocks, placed, rows):
        colours = [PROMPT_BG] * len(prompt) + [tuple(int(v) for v in c) for c in probability_colours(probs)]
        for ch, (r, c), bg in zip(prompt + sample, at, colours):
            x, y = MARGIN + c * CELL_W, top + r * CELL_H
            draw.rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), fill=bg)
            mark.rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), fill=255)
            ink = (0, 0, 0) if sum(bg) > 380 else (255, 255, 255)
            draw.text((x + 1, y), visible(ch), fill=ink, font=font())
        top += (n_rows + 1) * CELL_H
    out = np.asarray(img, dtype=np.float32) / 255.0
    out[np.asarray(cells) == 0] = np.nan
    return out
