"""Limits on image files, checked from their headers before anything is decoded.

One label of 3,000,000 made a classifier of 3,000,000 outputs (10.7 GB), a 20000x20000 PNG
decodes to 2.4 GB: such files fail here with one ValueError naming the file and the problem.
``check_file`` reads headers, shapes and labels only, so configs call it (through
``check_source``) before a run writes anything; the loaders apply the same limits.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from workbench.data import files

MAX_CLASSES = 1000
"""Labels are whole numbers from 0 to MAX_CLASSES - 1 (ImageNet has 1000 classes)."""
MAX_SIDE = 4096
"""The largest image side, in pixels, of a file or of the images in an array."""
MAX_BYTES = 4 * 1024**3
"""The most one file's images may take once loaded as float32 (4 GiB)."""


def check_file(path: Path) -> None:
    """Raise ValueError naming ``path`` unless it is an image folder, ``.npz`` or IDX file within
    the limits above. Reads headers, label arrays and file lists; decodes no image."""
    if path.is_dir():
        _check_folder(path)
    elif path.suffix.lower() == ".npz":
        _check_npz(path)
    else:
        _check_idx(path)


def check_images(shape: tuple[int, ...], dtype: np.dtype, source: object) -> None:
    """Raise ValueError unless images of ``shape`` and ``dtype`` hold real numbers within the limits."""
    if np.issubdtype(dtype, np.complexfloating):
        raise ValueError(f"{source}: pixels must be real numbers, not {dtype}")
    if not (np.issubdtype(dtype, np.number) or dtype == np.bool_):
        raise ValueError(f"{source}: image values of type {dtype} are not numbers")
    if len(shape) > 1 and max(shape[1:]) > MAX_SIDE:
        raise ValueError(f"{source}: images of shape {tuple(shape)} have a side over the limit of {MAX_SIDE} pixels")
    need = int(np.prod(shape, dtype=np.float64)) * 4
    if need > MAX_BYTES:
        raise ValueError(
            f"{source}: images of shape {tuple(shape)} would take {need / 1024**3:,.1f} GiB "
            f"once loaded; the limit is {MAX_BYTES / 1024**3:.0f} GiB"
        )


def check_labels(labels: np.ndarray, source: object) -> np.ndarray:
    """``labels`` as int64, or ValueError unless they are whole numbers in [0, MAX_CLASSES)."""
    labels = np.asarray(labels).reshape(-1)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{source}: labels must be integers, not {labels.dtype}")
    if len(labels) and (labels.min() < 0 or labels.max() >= MAX_CLASSES):
        raise ValueError(
            f"{source}: labels span [{labels.min()}, {labels.max()}]; "
            f"allowed are class numbers from 0 to {MAX_CLASSES - 1}"
        )
    return labels.astype(np.int64)


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) of an image file from its header, refusing one over ``MAX_SIDE``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                size = im.size
    except Image.DecompressionBombError:
        raise ValueError(
            f"{path}: more than {2 * Image.MAX_IMAGE_PIXELS:,} pixels, over the limit of {MAX_SIDE}x{MAX_SIDE}"
        ) from None
    except (OSError, UnidentifiedImageError):
        raise ValueError(f"{path}: not a readable image") from None
    if max(size) > MAX_SIDE:
        raise ValueError(f"{path}: {size[0]}x{size[1]} pixels is over the limit of {MAX_SIDE}x{MAX_SIDE}")
    return size


def _check_folder(path: Path) -> None:
    paths, labels = files.list_image_folder(path)
    check_labels(labels[labels >= 0], path)
    for f in paths:
        image_size(f)


def _check_npz(path: Path) -> None:
    with files.open_npz(path) as archive:
        image_key, label_key = files.npz_keys(archive, path)
        shape, dtype = files.npy_header(archive, image_key)
        check_images(shape, dtype, f"{path} {image_key!r}")
        if label_key is not None:
            labels = check_labels(files.npz_array(archive, label_key, path), f"{path} {label_key!r}")
            if len(labels) != shape[0]:
                raise ValueError(
                    f"{path}: {len(labels)} labels in {label_key!r} do not match the {shape[0]} images in {image_key!r}"
                )


def _check_idx(path: Path) -> None:
    dtype, shape = files.peek_idx(path)
    if len(shape) not in (3, 4):
        raise ValueError(f"{path}: image IDX files are (N, H, W) or (N, H, W, C), this one has shape {shape}")
    check_images(shape, dtype, path)
    label_path = files.labels_file_for(path)
    if label_path is not None:
        found = files.read_idx(label_path)
        if found.ndim != 1 or len(found) != shape[0]:
            raise ValueError(
                f"{label_path}: {found.shape[0] if found.ndim else 0} labels of shape {found.shape} "
                f"do not match the {shape[0]} images of {path.name}"
            )
        check_labels(found, label_path)
