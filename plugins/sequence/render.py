"""Samples drawn as text: each character on a cell whose colour is the probability the model gave
it, with the prompt greyed and a colour key, so a person sees where the model was sure."""

from __future__ import annotations

import functools
import textwrap

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from workbench_plugins.sequence.charnames import visible

COLS = 48  # characters per line before wrapping
CELL_W, CELL_H, FONT_PX = 12, 21, 17
MARGIN = 8
BACKGROUND = (0, 0, 0)
PROMPT_BG = (70, 70, 70)
CAPTION = (200, 200, 200)


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


def text_image(blocks: list[tuple[str, str, np.ndarray]], caption: str) -> np.ndarray:
    """(H, W, 3) uint8: the caption (wrapped), then each (prompt, sample, probabilities) block, then
    the colour key. Characters on light cells are drawn black, on dark cells white."""
    lines = textwrap.wrap(caption, COLS)
    placed = [layout(prompt + sample) for prompt, sample, _ in blocks]
    rows = [(at[-1][0] + 1 if at else 1) for at in placed]
    width = 2 * MARGIN + COLS * CELL_W
    height = MARGIN + CELL_H * (len(lines) + 1 + sum(rows) + len(blocks)) + MARGIN
    img = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + i * CELL_H), line, fill=CAPTION, font=font())
    top = MARGIN + CELL_H * len(lines) + CELL_H // 2
    for (prompt, sample, probs), at, n_rows in zip(blocks, placed, rows):
        colours = [PROMPT_BG] * len(prompt) + [tuple(int(v) for v in c) for c in probability_colours(probs)]
        for ch, (r, c), bg in zip(prompt + sample, at, colours):
            x, y = MARGIN + c * CELL_W, top + r * CELL_H
            draw.rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), fill=bg)
            ink = (0, 0, 0) if sum(bg) > 380 else (255, 255, 255)
            draw.text((x + 1, y), visible(ch), fill=ink, font=font())
        top += (n_rows + 1) * CELL_H
    colour_key(draw, top)
    return np.asarray(img)


def colour_key(draw: ImageDraw.ImageDraw, top: int) -> None:
    """A gradient from p = 0 to p = 1 with its meaning written beside it."""
    left, span = MARGIN + 4 * CELL_W, 18 * CELL_W
    draw.text((MARGIN, top), "p:", fill=CAPTION, font=font())
    colours = probability_colours(np.linspace(0.0, 1.0, span))
    for i, c in enumerate(colours):
        draw.line((left + i, top + 3, left + i, top + CELL_H - 3), fill=tuple(int(v) for v in c))
    draw.text((left - 2 * CELL_W, top), "0", fill=CAPTION, font=font())
    draw.text((left + span + CELL_W, top), "1   grey: prompt", fill=CAPTION, font=font())
