"""The race drawn as a picture: the surface shaded by log10(f - f*) with contour
lines, each optimiser's path in its colour, the start and the minima marked; and the surface as
values for the map view; the map view's axes and colour bar and the plane view's legend say what
the picture shows, which holds no text."""

from __future__ import annotations

import cv2
import numpy as np

from workbench_plugins.optimisers.methods import METHODS
from workbench_plugins.optimisers.surfaces import Surface

SIZE = 360  # map side in pixels
GRID = 180  # f is evaluated on GRID x GRID points, then enlarged
# the scatter view's colours (label i -> colour i), so the map's legend also names the scatter's points
COLOURS = ("#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0")
MINIMUM_LABEL, EDGE_LABEL = len(COLOURS), len(COLOURS) + 1  # the scatter's labels after the methods'
LEVELS = 12  # contour lines


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
    surface: Surface, base: np.ndarray, paths: dict[str, np.ndarray], start: tuple[float, float]
) -> np.ndarray:
    """(SIZE, SIZE, 3) uint8: the map with each method's path in its colour (the plane view's
    legend names them), the start ringed and the minima starred; no text, which would not read."""
    img = base.copy()
    for method, colour in zip(METHODS, COLOURS):
        px = to_pixels(surface, paths[method]).round().astype(np.int32)
        px = np.clip(px, -10 * SIZE, 10 * SIZE)
        thin = method == "AdamW"  # drawn thin over Adam, whose path it repeats while weight_decay is 0
        cv2.polylines(img, [px], False, rgb(colour), 1 if thin else 2, cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in px[-1]), 5, rgb(colour), -1, cv2.LINE_AA)
    for m in surface.minima:
        cx, cy = to_pixels(surface, np.array([m]))[0].round().astype(int)
        cv2.drawMarker(img, (int(cx), int(cy)), (255, 255, 255), cv2.MARKER_STAR, 16, 1, cv2.LINE_AA)
    sx, sy = to_pixels(surface, np.array([start]))[0].round().astype(int)
    cv2.circle(img, (int(sx), int(sy)), 7, (255, 255, 255), 2, cv2.LINE_AA)
    return img


def surface_map(surface: Surface) -> dict[str, np.ndarray]:
    """The map view's arrays: log10(f - f*) on the grid, cut to its 1-99 % quantiles so the
    colours spread over the plane rather than the minimum's spike, bottom row first, with its
    extent (x0, x1, y0, y1), so the view's axes carry the plane's coordinates."""
    field = log_gap(surface)[::-1]
    lo, hi = np.quantile(field, [0.01, 0.99])
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    return {
        "surface": np.clip(field, lo, hi).astype(np.float32),
        "surface_extent": np.array([x0, x1, y0, y1], np.float32),
    }
