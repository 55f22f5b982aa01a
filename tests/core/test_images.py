"""Image helpers trainers use for what views show."""

from __future__ import annotations

import numpy as np

from workbench.core.images import fit_width, tile


def test_tile_lays_out_a_padded_grid():
    grid = tile(np.ones((3, 2, 2)), cols=2, pad=1, fill=0.0)
    assert grid.shape == (5, 5) and grid[2].sum() == 0 and grid[3:, 3:].sum() == 0


def test_fit_width_shrinks_wide_frames_keeping_their_aspect_and_leaves_narrow_ones():
    frame = np.full((256, 768, 3), 200, dtype=np.uint8)
    small = fit_width(frame, 480)
    assert small.shape == (160, 480, 3) and small.dtype == np.uint8 and (small == 200).all()
    narrow = np.zeros((100, 300, 3), dtype=np.uint8)
    assert fit_width(narrow, 480) is narrow
