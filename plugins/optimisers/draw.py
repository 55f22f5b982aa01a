"""The race drawn as a picture: the surface shaded by log10(f - f*) with contour lines, each
optimiser's path in its colour, the start and the minima marked, and a legend saying where each
method is (steps it took to come within tolerance, still running, or diverged)."""

from __future__ import annotations

import cv2
import numpy as np

from workbench_plugins.optimisers.methods import METHODS
from workbench_plugins.optimisers.surfaces import Surface

SIZE = 360  # map side in pixels
LEGEND_W = 180
GRID = 180  # f is evaluated on GRID x GRID points, then enlarged
# the scatter view's colours (label i -> colour i), so the map's legend also names the scatter's points
COLOURS = ("#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0")
MINIMUM_LABEL, EDGE_LABEL = len(COLOURS), len(COLOURS) + 1  # the scatter's labels after the methods'
LEVELS = 12  # contour lines
FONT, TEXT, INK = cv2.FONT_HERSHEY_SIMPLEX, 0.7, (230, 230, 230)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def log_gap(surface: Surface, n: int = GRID) -> np.ndarray:
    """(n, n) log10(f - f* + 1e-6), row 0 at the top of the plane."""
    _, _, values = surface.grid(n)
    return np.log10(np.maximum(values.numpy() - surface.lowest, 0.0) + 1e-6).astype(np.float32)


def contour_levels(field: np.ndarray) -> np.ndarray:
    return np.quantile(field, np.linspace(0.04, 0.96, LEVELS))


def to_pixels(surface: Surface, xy: np.ndarray) -> np.ndarray:
    """Plane coordinates (N, 2) -> map pixels (N, 2), y up."""
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    px = (xy[:, 0] - x0) / (x1 - x0) * (SIZE - 1)
    py = (y1 - xy[:, 1]) / (y1 - y0) * (SIZE - 1)
    return np.stack([px, py], axis=1)


def contour_lines(field: np.ndarray) -> list[np.ndarray]:
    """Iso-lines of ``field`` at the contour levels, as pixel polylines on the SIZE x SIZE map."""
    big = cv2.resize(field, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
    lines = []
    for level in contour_levels(field):
        found, _ = cv2.findContours((big > level).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        lines += [c.reshape(-1, 2) for c in found if len(c) > 2]
    return lines


def background(surface: Surface) -> np.ndarray:
    """The shaded map with its contour lines, RGB, SIZE x SIZE."""
    field = log_gap(surface)
    lo, hi = np.quantile(field, [0.01, 0.99])
    shade = np.clip((field - lo) / max(hi - lo, 1e-9), 0, 1)
    gray = cv2.resize((40 + 120 * shade).astype(np.uint8), (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
    img = cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    lines = [line.astype(np.int32) for line in contour_lines(field)]
    cv2.polylines(img, lines, True, (190, 190, 190), 1, cv2.LINE_AA)
    return img


def race_image(
    surface: Surface, base: np.ndarray, paths: dict[str, np.ndarray], start: tuple[float, float], diverged: set[str]
) -> np.ndarray:
    """(SIZE, SIZE + LEGEND_W, 3) uint8: the map with the paths, and beside it the legend (a
    diverged method's name struck through), the shading's meaning and the plane's range."""
    img = np.zeros((SIZE, SIZE + LEGEND_W, 3), np.uint8)
    img[:, :SIZE] = base
    for method, colour in zip(METHODS, COLOURS):
        px = to_pixels(surface, paths[method]).round().astype(np.int32)
        px = np.clip(px, -10 * SIZE, 10 * SIZE)
        thin = method == "AdamW"  # drawn thin over Adam, whose path it repeats while weight_decay is 0
        cv2.polylines(img, [px], False, rgb(colour), 1 if thin else 2, cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in px[-1]), 5, rgb(colour), -1, cv2.LINE_AA)
    img[:, SIZE:] = 0  # paths leaving the map stop at its edge
    for m in surface.minima:
        cx, cy = to_pixels(surface, np.array([m]))[0].round().astype(int)
        cv2.drawMarker(img, (int(cx), int(cy)), (255, 255, 255), cv2.MARKER_STAR, 16, 1, cv2.LINE_AA)
    sx, sy = to_pixels(surface, np.array([start]))[0].round().astype(int)
    cv2.circle(img, (int(sx), int(sy)), 7, (255, 255, 255), 2, cv2.LINE_AA)

    left, row = SIZE + 10, 27

    def text(line: int, words: str, colour: tuple[int, int, int] = INK, indent: int = 0) -> None:
        cv2.putText(img, words, (left + indent, 22 + row * line), FONT, TEXT, colour, 1, cv2.LINE_AA)

    text(0, surface.label)
    for i, (method, colour) in enumerate(zip(METHODS, COLOURS), start=1):
        y = 22 + row * i
        cv2.line(img, (left, y - 6), (left + 18, y - 6), rgb(colour), 4, cv2.LINE_AA)
        text(i, method, (130, 130, 130) if method in diverged else rgb(colour), indent=26)
        if method in diverged:
            cv2.line(img, (left + 24, y - 6), (left + 30 + 14 * len(method), y - 6), (200, 200, 200), 2, cv2.LINE_AA)
    n = len(METHODS) + 1
    cv2.circle(img, (left + 9, 22 + row * n - 6), 6, (255, 255, 255), 2, cv2.LINE_AA)
    text(n, "start", indent=26)
    cv2.drawMarker(img, (left + 9, 22 + row * (n + 1) - 6), (255, 255, 255), cv2.MARKER_STAR, 14, 1, cv2.LINE_AA)
    text(n + 1, "minimum", indent=26)
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    text(n + 2, "dark: low f")
    text(n + 3, f"x {x0:g} to {x1:g}")
    text(n + 4, f"y {y0:g} to {y1:g}")
    return img
