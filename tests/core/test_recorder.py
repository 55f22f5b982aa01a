"""Recordings stream frames to real GIF and MP4 files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from workbench.core.recorder import AnimationWriter, mp4_available, to_rgb8


def frames(n=12, h=30, w=40):
    for i in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[:, (i * 3) % w] = 255
        yield f


def test_gif_holds_every_frame_at_the_chosen_size(tmp_path):
    writer = AnimationWriter(tmp_path / "a.gif", fps=10, size=(80, 60))
    for f in frames():
        writer.add(f)
    path = writer.close()
    with Image.open(path) as im:
        assert im.n_frames == 12
        assert im.size == (80, 60)
        assert im.info["duration"] == 100


@pytest.mark.skipif(not mp4_available(), reason="imageio-ffmpeg not installed")
def test_mp4_is_written(tmp_path):
    writer = AnimationWriter(tmp_path / "a.mp4", fps=10)
    for f in frames():
        writer.add(f)
    path = writer.close()
    assert path.stat().st_size > 1000


def test_bad_format_and_fps_are_refused(tmp_path):
    with pytest.raises(ValueError, match="use one of .gif, .mp4"):
        AnimationWriter(tmp_path / "a.avi")
    with pytest.raises(ValueError, match="fps must be > 0"):
        AnimationWriter(tmp_path / "a.gif", fps=0)


def test_to_rgb8_scales_floats_and_gray():
    out = to_rgb8(np.array([[0.0, 0.5], [1.0, 2.0]], np.float32))
    assert out.shape == (2, 2, 3) and out.dtype == np.uint8
    assert out[0, 0, 0] == 0 and out[0, 1, 0] == 128 and out[1, 1, 0] == 255
    assert to_rgb8(np.zeros((1, 4, 5)), size=(10, 8)).shape == (8, 10, 3)
