"""``load_images``: one call for every image set, built in or on disk, in one array format."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.data import builtin, checks, files
from workbench.data.arrays import resize, set_channels, subsample, to_nchw

DATASETS = {
    "digits": "scikit-learn's 1,797 real 8x8 handwritten digits, upscaled",
    "glyphs": "MNIST-like digits rendered with OpenCV fonts under random jitter, stroke width and noise",
    "shapes": "dSprites-like shapes (square, ellipse, heart) with known scale, rotation and position",
}
DEFAULT_N = {"glyphs": 10_000, "shapes": 10_000}


def check_source(name: str) -> None:
    """Raise ValueError unless ``name`` is a built-in set or an existing file or folder whose
    headers, shapes and labels are within ``checks``' limits.

    Cheap (decodes no image), so configs call it in ``check()``, before a run writes anything."""
    if name in DATASETS:
        return
    path = Path(name).expanduser()
    if path.exists():
        checks.check_file(path)
        return
    raise ValueError(
        f"data={name!r} is neither a built-in set ({', '.join(DATASETS)}) nor an existing "
        "IDX file, .npz file or folder of images"
    )


def load_images(
    name: str = "digits", size: int | None = 28, n: int | None = None, seed: int = 0, channels: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Load an image set as float32 (N, C, H, W) in [0, 1] and int64 labels (N,), -1 where unknown.

    Args:
        name: ``digits``, ``glyphs``, ``shapes``, or a path: an MNIST / Fashion-MNIST IDX file
            (gzipped or not; labels come from the matching ``*-labels-idx1-ubyte`` file beside it),
            an ``.npz`` (arrays ``x``/``images`` and optionally ``y``/``labels``), or a folder of
            images (subfolders name classes).
        size: side of the square images returned (non-square ones are centre-cropped); None keeps
            the native size.
        n: how many images: for generated sets how many to make (default 10,000), otherwise a random
            subset of that size (default all).
        seed: seeds generation, subsets and colour tints.
        channels: 1 for gray, 3 for colour (gray sets get a random stroke and background colour).

    Raises:
        ValueError: an unknown name, a bad file (wrong magic number, truncated IDX, mismatched label
            count, empty folder...), or bad arguments.

    Example:
        >>> images, labels = load_images("digits", size=16, n=10)
        >>> images.shape, images.dtype.name, labels.shape
        ((10, 1, 16, 16), 'float32', (10,))
    """
    if channels not in (1, 3):
        raise ValueError(f"channels={channels!r} must be 1 (gray) or 3 (colour)")
    if size is not None and not 4 <= size <= 512:
        raise ValueError(f"size={size!r} must be between 4 and 512 pixels")
    if n is not None and n < 1:
        raise ValueError(f"n={n!r} must be at least 1")
    check_source(name)
    if name == "digits":
        images, labels = builtin.digits()
        images, labels = subsample(images, labels, n, seed, "digits")
    elif name == "glyphs":
        images, labels = builtin.glyphs(n or DEFAULT_N[name], size or 28, seed)
    elif name == "shapes":
        images, factors = builtin.shapes(n or DEFAULT_N[name], size or 64, seed)
        labels = factors["shape"]
    else:
        images, labels = _load_path(Path(name).expanduser(), size, n, seed, channels)
    images = resize(to_nchw(images, name), size)
    return set_channels(images, channels, seed), np.array(labels, np.int64)


def _load_path(path: Path, size: int | None, n: int | None, seed: int, channels: int) -> tuple[np.ndarray, np.ndarray]:
    if path.is_dir():
        paths, labels = files.list_image_folder(path)
        keep, labels = subsample(np.arange(len(paths)), labels, n, seed, str(path))
        return files.read_images([paths[i] for i in keep], channels, size), labels
    if path.suffix.lower() == ".npz":
        images, labels = files.load_npz(path)
    else:
        images, labels = files.load_idx(path)
    return subsample(images, labels, n, seed, str(path))
