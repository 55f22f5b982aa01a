"""Recordings stream frames to real GIF and MP4 files."""

from __future__ import annotations

import math
import os
import threading
import time

import numpy as np
import pytest
from PIL import Image

from workbench.core.recorder import AnimationWriter, RecordSink, mp4_available, to_rgb8


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


def test_bad_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="use one of .gif, .mp4"):
        AnimationWriter(tmp_path / "a.avi")


@pytest.mark.parametrize("fps", [0, -5, math.nan, 1e-300, math.inf, 1e6])
def test_fps_out_of_range_is_refused_before_anything_is_written(tmp_path, fps):
    with pytest.raises(ValueError, match=r"fps must be a number from 0.1 to 120"):
        RecordSink(tmp_path / "out" / "record.gif", "frame", fps=fps)
    assert not (tmp_path / "out").exists()


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def error_within(action, timeout=20.0):
    """Runs ``action`` on a thread and returns what it raised; fails if it hangs or raises nothing."""
    result = {}

    def run():
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "the recorder hangs"
    return result["error"]


def record(writer, n):
    for f in frames(n):
        writer.add(f)
    writer.close()


def test_identical_frames_are_all_written(tmp_path):
    writer = AnimationWriter(tmp_path / "same.gif", fps=10)
    for _ in range(7):
        writer.add(np.full((20, 30, 3), 90, np.uint8))
    path = writer.close()
    assert writer.frames == writer.written == 7
    with Image.open(path) as im:
        assert im.n_frames == 7


def test_gif_grows_on_disk_while_recording_and_a_partial_file_is_readable(tmp_path):
    writer = AnimationWriter(tmp_path / "live.gif", fps=10)
    for f in frames(5):
        writer.add(f)
    wait_for(lambda: writer.written == 5)
    assert writer.part.stat().st_size > 0 and not writer.path.exists()
    with Image.open(writer.part) as im:  # what a crash now would leave behind
        assert im.n_frames == 5
    for f in frames(3):
        writer.add(f)
    wait_for(lambda: writer.written == 8)
    with Image.open(writer.close()) as im:
        assert im.n_frames == 8


def test_a_failure_after_the_last_frame_is_raised_by_close_instead_of_hanging(tmp_path):
    target = tmp_path / "taken.gif"
    target.mkdir()
    (target / "keep").write_text("a folder where the recording should go")
    writer = AnimationWriter(target, fps=10)
    error = error_within(lambda: record(writer, 3))
    assert isinstance(error, RuntimeError)
    assert str(error).startswith(f"recording to {target} failed: ") and "\n" not in str(error)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_raised_with_the_file_and_the_cause(tmp_path):
    writer = AnimationWriter(tmp_path / "full.gif", fps=10)
    writer.part.symlink_to("/dev/full")  # every write there fails with ENOSPC
    error = error_within(lambda: record(writer, 40))
    assert isinstance(error, RuntimeError)
    assert f"recording to {writer.path} failed: " in str(error) and "No space left on device" in str(error)


def test_to_rgb8_scales_floats_and_gray():
    out = to_rgb8(np.array([[0.0, 0.5], [1.0, 2.0]], np.float32))
    assert out.shape == (2, 2, 3) and out.dtype == np.uint8
    assert out[0, 0, 0] == 0 and out[0, 1, 0] == 128 and out[1, 1, 0] == 255
    assert to_rgb8(np.zeros((1, 4, 5)), size=(10, 8)).shape == (8, 10, 3)
