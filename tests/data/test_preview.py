"""Dataset previews: gaps show the view's background and labels are large enough to read."""

import numpy as np

from workbench.data.preview import grid, labelled_grid


def test_grid_gaps_are_no_value_so_the_theme_shows_through():
    images = np.ones((4, 1, 8, 8), np.float32)
    out = grid(images, cols=2)
    assert out.shape == (17, 17)
    assert np.isnan(out[8]).all() and np.isnan(out[:, 8]).all()
    assert (out[:8, :8] == 1).all()


def test_labelled_grid_writes_large_yellow_labels_on_a_few_images():
    images = np.zeros((64, 1, 28, 28), np.float32)
    out = labelled_grid(images, np.arange(64) % 10, scale=3)
    assert out.shape == (4 * 29 * 3 - 3, 4 * 29 * 3 - 3, 3)  # 16 images, 4 by 4
    yellow = (out[..., 0] > 0.9) & (out[..., 1] > 0.9) & (out[..., 2] < 0.1)
    rows = np.flatnonzero(yellow[: 29 * 3].any(axis=1))  # the first row of tiles' labels
    assert rows.max() - rows.min() >= 12  # at least 12 px of text at scale 3
    assert np.isnan(out[29 * 3 - 2]).any()  # the gap under the first row
