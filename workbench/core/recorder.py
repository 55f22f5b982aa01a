"""Animated GIF and MP4 writing that streams frames to disk with bounded memory.

GIF: Pillow saves from a frame generator fed by a bounded queue on a writer thread, each frame
quantised with FASTOCTREE and no dithering (about 30x faster than the default quantiser).
MP4: imageio-ffmpeg's ``write_frames`` when it is installed.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from workbench.core.sinks import Sink
from workbench.core.snapshot import Snapshot

FORMATS = ("gif", "mp4")
_END = object()


def mp4_available() -> bool:
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def to_rgb8(arr: np.ndarray, levels: tuple[float, float] | None = None, size: tuple[int, int] | None = None) -> np.ndarray:
    """An (H, W, 3) uint8 image from a gray or RGB(A) array; floats are scaled from ``levels``
    (default: [0, 1] for floats). ``size`` is (width, height), resized with nearest neighbour so
    pixels stay crisp."""
    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[2] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # CHW -> HWC
    if a.dtype != np.uint8:
        lo, hi = levels if levels is not None else (0.0, 1.0)
        a = np.clip((a.astype(np.float32) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
        a = (a * 255.0 + 0.5).astype(np.uint8)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"cannot record an array of shape {np.shape(arr)} as an image")
    a = np.ascontiguousarray(a[..., :3])
    if size is not None and (a.shape[1], a.shape[0]) != tuple(size):
        a = cv2.resize(a, tuple(int(s) for s in size), interpolation=cv2.INTER_NEAREST)
    return a


class AnimationWriter:
    """Write frames to ``path`` (.gif or .mp4) as they come; memory stays bounded by a small queue.

    Args:
        path: the output file; its suffix picks the format.
        fps: frames per second (GIF stores durations in 10 ms steps).
        size: (width, height) to resize every frame to; default the first frame's size.
    """

    def __init__(self, path: str | Path, fps: float = 20.0, size: tuple[int, int] | None = None) -> None:
        self.path = Path(path)
        fmt = self.path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValueError(f"cannot record to {self.path.name!r}: use one of {', '.join('.' + f for f in FORMATS)}")
        if fmt == "mp4" and not mp4_available():
            raise ValueError("MP4 needs the imageio-ffmpeg package; record a .gif or install it")
        if fps <= 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.fmt, self.fps, self.size = fmt, float(fps), size
        self.frames = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=8)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, frame: np.ndarray) -> None:
        """Queue one (H, W, 3) uint8 frame; blocks only if the writer is 8 frames behind."""
        if self._error is not None:
            raise RuntimeError(f"recording to {self.path} failed: {self._error}") from self._error
        frame = to_rgb8(frame, size=self.size)
        if self.size is None:
            self.size = (frame.shape[1], frame.shape[0])
        if self._thread is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            target = self._write_gif if self.fmt == "gif" else self._write_mp4
            self._thread = threading.Thread(target=self._guard, args=(target,), daemon=True)
            self._thread.start()
        self._queue.put(frame)
        self.frames += 1

    def close(self) -> Path | None:
        """Finish the file; returns its path, or None when no frame was added."""
        if self._thread is None:
            return None
        self._queue.put(_END)
        self._thread.join()
        self._thread = None
        if self._error is not None:
            raise RuntimeError(f"recording to {self.path} failed: {self._error}") from self._error
        return self.path

    def _frames(self):
        while (item := self._queue.get()) is not _END:
            yield item

    def _guard(self, target) -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported to the recording thread on add/close
            self._error = exc
            while self._queue.get() is not _END:  # drain so add/close never block forever
                pass

    def _write_gif(self) -> None:
        def paletted():
            for frame in self._frames():
                yield Image.fromarray(frame).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)

        frames = paletted()
        first = next(frames)
        duration = max(20, int(round(1000.0 / self.fps / 10.0)) * 10)
        tmp = self.path.with_name(self.path.name + ".part")
        first.save(tmp, format="GIF", save_all=True, append_images=frames, duration=duration, loop=0)
        tmp.replace(self.path)

    def _write_mp4(self) -> None:
        import imageio_ffmpeg

        w, h = self.size
        tmp = self.path.with_name(self.path.name + ".part.mp4")
        writer = imageio_ffmpeg.write_frames(str(tmp), (w, h), fps=self.fps, macro_block_size=1, quality=7)
        writer.send(None)
        try:
            for frame in self._frames():
                writer.send(frame)
        finally:
            writer.close()
        tmp.replace(self.path)


class RecordSink(Sink):
    """Headless recording: every snapshot that carries array ``key`` adds a frame."""

    def __init__(self, path: Path, key: str, fps: float = 20.0, size: tuple[int, int] | None = None,
                 levels: tuple[float, float] | None = None) -> None:
        self.key, self.levels = key, levels
        self.writer = AnimationWriter(path, fps, size)

    def write(self, snap: Snapshot) -> None:
        if self.key in snap.arrays:
            self.writer.add(to_rgb8(snap.arrays[self.key], self.levels))

    def close(self) -> None:
        self.writer.close()
