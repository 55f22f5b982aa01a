"""Image sets from the user's disk: MNIST-style IDX files, ``.npz`` arrays and folders of images.

Every reader returns ``(images, labels)`` with images as read (any numeric dtype, any layout
``to_nchw`` accepts) and int64 labels, -1 where unknown. Bad files raise ValueError naming the
file and what is wrong with it.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm")
GZIP_MAGIC = b"\x1f\x8b"
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (as MNIST and Fashion-MNIST ship them), gzipped or not.

    Raises:
        ValueError: wrong magic number, unknown type code, or fewer bytes than the header promises.
    """
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: broken gzip data ({exc})") from None
    dtype, shape = idx_header(raw, path)
    header = 4 + 4 * len(shape)
    need = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header < need:
        raise ValueError(
            f"{path}: truncated IDX data: shape {shape} needs {need} bytes, the file has {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype, int(np.prod(shape)), header).reshape(shape)


def peek_idx(path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    """The dtype and shape an IDX file declares, reading (and unzipping) only its header."""
    with path.open("rb") as f:
        gz = f.read(2) == GZIP_MAGIC
    try:
        with gzip.open(path) if gz else path.open("rb") as f:
            raw = f.read(4)
            raw += f.read(4 * raw[3]) if len(raw) == 4 else b""
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: broken gzip data ({exc})") from None
    return idx_header(raw, path)


def idx_header(raw: bytes, path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    """The dtype and shape in the header at the start of ``raw``, an IDX file's bytes."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(
            f"{path}: wrong magic number {raw[:4].hex() or '(empty file)'}; an IDX file starts "
            "with 00 00, a type code (08 for unsigned bytes) and the number of dimensions"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header: {len(raw)} bytes, {ndim} dimensions need {header}")
    return np.dtype(_IDX_TYPES[raw[2]]), tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, 4))


def labels_file_for(path: Path) -> Path | None:
    """The labels file beside an images file: ``train-images-idx3-ubyte[.gz]`` ->
    ``train-labels-idx1-ubyte[.gz]``, gzipped or not; None when there is none."""
    stem = path.name.removesuffix(".gz")
    if "images" not in stem:
        return None
    base = stem.replace("images", "labels").replace("idx3", "idx1")
    for name in (base, base + ".gz"):
        if (path.parent / name).is_file():
            return path.parent / name
    return None


def load_idx(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images and the labels file beside them (see ``checks`` for the shapes and labels allowed)."""
    images = read_idx(path)
    label_path = labels_file_for(path)
    labels = read_idx(label_path).astype(np.int64) if label_path else np.full(len(images), -1, np.int64)
    return images, labels


def load_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Arrays ``x`` or ``images``, and optionally ``y`` or ``labels`` (integers: see ``checks``)."""
    with open_npz(path) as archive:
        image_key, label_key = npz_keys(archive, path)
        images = npz_array(archive, image_key, path)
        labels = npz_array(archive, label_key, path).reshape(-1) if label_key else np.full(len(images), -1)
    return images, labels.astype(np.int64)


def open_npz(path: Path) -> np.lib.npyio.NpzFile:
    """The archive, opened lazily: no array is read yet."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable .npz archive ({exc})") from None


def npz_keys(archive: np.lib.npyio.NpzFile, path: Path) -> tuple[str, str | None]:
    """The names of the images array (``x`` or ``images``) and of the labels (``y``, ``labels`` or None)."""
    keys = set(archive.files)
    image_key = next((k for k in ("x", "images") if k in keys), None)
    if image_key is None:
        raise ValueError(f"{path}: no array named 'x' or 'images' (it holds: {', '.join(sorted(keys)) or 'nothing'})")
    return image_key, next((k for k in ("y", "labels") if k in keys), None)


def npz_array(archive: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        return archive[key]
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: array {key!r} is not readable ({exc})") from None


def npy_header(archive: np.lib.npyio.NpzFile, key: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of array ``key`` from its header, without reading the array."""
    with archive.zip.open(key + ".npy") as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(f)
    return shape, dtype


def list_image_folder(path: Path) -> tuple[list[Path], np.ndarray]:
    """Image files in ``path``, sorted. Images in subfolders take the subfolder's index (sorted by
    name) as label, as torchvision's ImageFolder does; images directly in ``path`` get -1."""
    files, labels = [], []
    classes = sorted(p for p in path.iterdir() if p.is_dir())
    for f in sorted(path.iterdir()):
        if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
            files.append(f)
            labels.append(-1)
    for label, folder in enumerate(classes):
        for f in sorted(folder.iterdir()):
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
                files.append(f)
                labels.append(label)
    if not files:
        raise ValueError(f"{path}: empty folder: no images ({', '.join(IMAGE_SUFFIXES)}) in it or its subfolders")
    return files, np.asarray(labels, np.int64)


def read_images(files: list[Path], channels: int, size: int | None) -> np.ndarray:
    """Read, centre-crop to a square and resize each file: (N, H, W, C) uint8."""
    flag = cv2.IMREAD_GRAYSCALE if channels == 1 else cv2.IMREAD_COLOR
    out = []
    for f in files:
        img = cv2.imread(str(f), flag)
        if img is None:
            raise ValueError(f"{f}: not a readable image")
        h, w = img.shape[:2]
        s = min(h, w)
        img = img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
        if size is not None and s != size:
            img = cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA if size < s else cv2.INTER_LINEAR)
        if out and img.shape != out[0].shape:
            raise ValueError(
                f"{f}: size {img.shape[:2]} differs from the first image's {out[0].shape[:2]}; pass a size"
            )
        out.append(img if channels == 1 else cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    return np.stack(out).reshape(len(out), *out[0].shape[:2], channels)
