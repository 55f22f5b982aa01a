"""Animated GIF and MP4 writing that streams frames to disk with bounded memory.

A writer thread takes frames from a bounded queue. GIF: each frame is quantised with FASTOCTREE
and no dithering and appended to the file at once (``GifStream``). MP4: imageio-ffmpeg's
``write_frames`` when it is installed.
"""

from __future__ import annotations

import math
import queue
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import GifImagePlugin, Image

from workbench.core.sinks import Sink
from workbench.core.snapshot import Snapshot

FORMATS = ("gif", "mp4")
FPS_RANGE = (0.1, 120.0)
"""Frame rates a recording accepts: a GIF frame lasts at most 655 s, and beyond 120 fps frames repeat."""
_END = object()


def mp4_available() -> bool:
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def to_rgb8(
    arr: np.ndarray, levels: tuple[float, float] | None = None, size: tuple[int, int] | None = None
) -> np.ndarray:
    """An (H, W, 3) uint8 image from a gray or RGB(A) array; floats are scaled from ``levels``
    (default: [0, 1] for floats). ``size`` is (width, height), resized with nearest neighbour so
    pixels stay crisp."""
    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[2] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # CHW -> HWC
    if a.dtype != np.uint8:
        lo, hi = levels if levels is not None else (0.0, 1.0)
        a = np.clip((a.astype(np.float32) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
        a = np.nan_to_num(a, nan=0.0)  # NaN is no value (the gaps of a grid): recorded dark
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


class GifStream:
    """A GIF written frame by frame, so a long recording keeps memory flat and a crash keeps it.

    Pillow's ``save(save_all=True)`` holds every frame until the end and merges identical ones;
    here each frame is quantised (FASTOCTREE, no dither: about 30x faster than the default),
    written with its own colour table through Pillow's GIF encoder and flushed at once. The file
    is readable at any moment; ``close`` adds the trailer.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float) -> None:
        del size  # the first frame sets the canvas
        self.duration_ms = max(20, int(round(100.0 / fps)) * 10)  # GIF counts in 10 ms steps
        self.frames = 0
        self._fp = open(path, "wb")

    def write(self, rgb: np.ndarray) -> None:
        im = Image.fromarray(rgb).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        if self.frames == 0:
            header, _ = GifImagePlugin.getheader(im, info={"loop": 0, "duration": self.duration_ms})
            self._fp.write(b"".join(header))
        self._fp.write(b"".join(GifImagePlugin.getdata(im, duration=self.duration_ms, include_color_table=True)))
        self._fp.flush()
        self.frames += 1

    def close(self) -> None:
        try:
            self._fp.write(b";")  # the GIF trailer
        finally:
            self._fp.close()


class Mp4Stream:
    """H.264 through imageio-ffmpeg's own ffmpeg, which streams on its own."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float) -> None:
        import imageio_ffmpeg

        self._gen = imageio_ffmpeg.write_frames(str(path), size, fps=fps, macro_block_size=1, quality=7)
        self._gen.send(None)

    def write(self, rgb: np.ndarray) -> None:
        self._gen.send(rgb)

    def close(self) -> None:
        self._gen.close()


STREAMS: dict[str, tuple[type[GifStream] | type[Mp4Stream], str]] = {
    "gif": (GifStream, ".part"),
    "mp4": (Mp4Stream, ".part.mp4"),
}  # ffmpeg reads the suffix


def check_fps(fps: float) -> float:
    """``fps`` as a float, or ValueError when it is outside ``FPS_RANGE`` (nan and inf included)."""
    lo, hi = FPS_RANGE
    try:
        value = float(fps)
    except (TypeError, ValueError):
        value = math.nan
    if not lo <= value <= hi:
        raise ValueError(f"fps must be a number from {lo:g} to {hi:g} frames per second, got {fps!r}")
    return value


class AnimationWriter:
    """Write frames to ``path`` (.gif or .mp4) as they come; memory stays bounded by a small queue.

    A writer thread encodes the frames into ``path`` plus a part suffix and renames it at close.
    ``frames`` counts the frames added, ``written`` those on disk; after ``close`` they are equal
    and the file holds exactly that many frames. A failure (a full disk, a bad path) ends the
    thread and is raised by the next ``add`` or by ``close``, which never waits for a dead thread.

    Args:
        path: the output file; its suffix picks the format.
        fps: frames per second, within ``FPS_RANGE`` (GIF stores durations in 10 ms steps).
        size: (width, height) to resize every frame to; default the first frame's size.

    Raises:
        ValueError: an unknown suffix, MP4 without imageio-ffmpeg, or fps out of range.
    """

    def __init__(self, path: str | Path, fps: float = 20.0, size: tuple[int, int] | None = None) -> None:
        self.path = Path(path)
        fmt = self.path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValueError(f"cannot record to {self.path.name!r}: use one of {', '.join('.' + f for f in FORMATS)}")
        if fmt == "mp4" and not mp4_available():
            raise ValueError("MP4 needs the imageio-ffmpeg package; record a .gif or install it")
        self.fmt, self.fps, self.size = fmt, check_fps(fps), size
        self.frames = 0
        self.written = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=8)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def part(self) -> Path:
        """The file being written; it becomes ``path`` at close."""
        return self.path.with_name(self.path.name + STREAMS[self.fmt][1])

    def add(self, frame: np.ndarray) -> None:
        """Queue one image; blocks only while the writer is 8 frames behind."""
        self._raise_if_failed()
        frame = to_rgb8(frame, size=self.size)
        if self.size is None:
            self.size = (frame.shape[1], frame.shape[0])
        if self._thread is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._thread = threading.Thread(target=self._write, name=f"record {self.path.name}", daemon=True)
            self._thread.start()
        self._put(frame)
        self.frames += 1

    def close(self) -> Path | None:
        """Finish the file; returns its path, or None when no frame was added.

        Raises:
            RuntimeError: naming the file and the cause, when writing failed.
        """
        if self._thread is None:
            self._raise_if_failed()
            return None
        self._put(_END)
        self._thread.join()
        self._raise_if_failed()
        return self.path

    def _put(self, item: Any) -> None:
        """Hand ``item`` to the writer thread, giving up as soon as that thread has ended."""
        while self._thread is not None and self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            cause = " ".join(str(self._error).split()) or type(self._error).__name__
            raise RuntimeError(f"recording to {self.path} failed: {cause}") from self._error

    def _write(self) -> None:
        """The writer thread: encode until the end marker, then rename; any error ends it."""
        stream_cls, _ = STREAMS[self.fmt]
        assert self.size is not None  # set by the first frame, before the thread starts
        try:
            stream = stream_cls(self.part, self.size, self.fps)
            try:
                while (frame := self._queue.get()) is not _END:
                    stream.write(frame)
                    self.written += 1
            finally:
                stream.close()
            self.part.replace(self.path)
        except BaseException as exc:  # noqa: BLE001 - raised on the recording side by add/close
            self._error = exc


class RecordSink(Sink):
    """Headless recording: every snapshot that carries array ``key`` adds a frame."""

    def __init__(
        self,
        path: Path,
        key: str,
        fps: float = 20.0,
        size: tuple[int, int] | None = None,
        levels: tuple[float, float] | None = None,
    ) -> None:
        self.key, self.levels = key, levels
        self.writer = AnimationWriter(path, fps, size)

    def write(self, snap: Snapshot) -> None:
        if self.key in snap.arrays:
            self.writer.add(to_rgb8(snap.arrays[self.key], self.levels))

    def close(self) -> None:
        self.writer.close()
