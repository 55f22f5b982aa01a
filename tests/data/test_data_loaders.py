"""Each image source returns float32 (N, C, H, W) in [0, 1] with int64 labels; bad files say what is wrong."""

from __future__ import annotations

import gzip
import struct

import cv2
import numpy as np
import pytest

from workbench.data import DATASETS, collect_frames, load_images
from workbench.data.builtin import digits


def write_idx(path, arr: np.ndarray, gz: bool = False) -> None:
    """The IDX layout MNIST ships: 00 00, type 08, ndim, big-endian int32 dims, raw bytes."""
    raw = bytes([0, 0, 8, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if gz else raw)


@pytest.fixture
def mnist_like():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (12, 28, 28), dtype=np.uint8), rng.integers(0, 10, 12, dtype=np.uint8)


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("channels", [1, 3])
def test_builtin_sets_have_the_common_format(name, channels):
    images, labels = load_images(name, size=16, n=20, seed=0, channels=channels)
    assert images.shape == (20, channels, 16, 16) and images.dtype == np.float32
    assert labels.shape == (20,) and labels.dtype == np.int64
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.5
    assert labels.min() >= 0  # every built-in set knows its labels


def test_digits_are_the_sklearn_set_and_subsets_are_seeded():
    images, labels = load_images("digits", size=28)
    assert images.shape == (1797, 1, 28, 28)
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    a, _ = load_images("digits", n=50, seed=3)
    b, _ = load_images("digits", n=50, seed=3)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("from_file", [True, False])
def test_digits_match_sklearns_load_digits(tmp_path, from_file):
    """Read from scikit-learn's file, or through ``load_digits`` where that file is not found."""
    from sklearn.datasets import load_digits

    images, labels = digits(None if from_file else tmp_path / "no-such-file.csv.gz")
    bunch = load_digits()
    np.testing.assert_array_equal(images[:, 0, 1:-1, 1:-1], bunch.images / 16.0)
    np.testing.assert_array_equal(labels, bunch.target)
    assert images.dtype == np.float32 and (images[:, 0, 0, :] == 0).all()


def test_glyphs_are_seeded_and_cover_all_digits():
    a, la = load_images("glyphs", n=300, seed=4)
    b, lb = load_images("glyphs", n=300, seed=4)
    np.testing.assert_array_equal(a, b)
    assert set(la.tolist()) == set(range(10))
    a[0] = 0.0  # callers get their own copy of the cached set
    np.testing.assert_array_equal(load_images("glyphs", n=300, seed=4)[0], b)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_images_with_their_labels_file(tmp_path, mnist_like, gz):
    x, y = mnist_like
    suffix = ".gz" if gz else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", x, gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", y, gz)
    images, labels = load_images(str(tmp_path / f"train-images-idx3-ubyte{suffix}"), size=None)
    np.testing.assert_allclose(images[:, 0], x / 255.0, atol=1e-6)
    np.testing.assert_array_equal(labels, y)


def test_idx_without_labels_file_has_unknown_labels(tmp_path, mnist_like):
    write_idx(tmp_path / "t10k-images-idx3-ubyte", mnist_like[0])
    images, labels = load_images(str(tmp_path / "t10k-images-idx3-ubyte"), size=14, n=5)
    assert images.shape == (5, 1, 14, 14) and (labels == -1).all()


def test_idx_bad_files_say_what_is_wrong(tmp_path, mnist_like):
    x, y = mnist_like
    bad = tmp_path / "bad-images-idx3-ubyte"
    bad.write_bytes(b"\x12\x34\x56\x78" + bytes(100))
    with pytest.raises(ValueError, match="wrong magic number 12345678"):
        load_images(str(bad))
    write_idx(bad, x)
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.raises(ValueError, match="truncated IDX data"):
        load_images(str(bad))
    write_idx(tmp_path / "train-images-idx3-ubyte", x)
    write_idx(tmp_path / "train-labels-idx1-ubyte", y[:-2])
    with pytest.raises(ValueError, match="10 labels .* do not match the 12 images"):
        load_images(str(tmp_path / "train-images-idx3-ubyte"))


def test_npz_with_and_without_labels(tmp_path):
    x = np.random.default_rng(0).random((6, 20, 20, 3)).astype(np.float32)
    np.savez(tmp_path / "a.npz", images=x, labels=np.arange(6))
    images, labels = load_images(str(tmp_path / "a.npz"), size=None, channels=3)
    np.testing.assert_allclose(images, x.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(labels, np.arange(6))
    gray, _ = load_images(str(tmp_path / "a.npz"), size=10, channels=1)
    assert gray.shape == (6, 1, 10, 10)
    np.savez(tmp_path / "b.npz", x=(x[..., 0] * 255).astype(np.uint8))
    images, labels = load_images(str(tmp_path / "b.npz"), size=None)
    assert images.shape == (6, 1, 20, 20) and (labels == -1).all()


def test_npz_bad_files_say_what_is_wrong(tmp_path):
    np.savez(tmp_path / "a.npz", pictures=np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="no array named 'x' or 'images' .*pictures"):
        load_images(str(tmp_path / "a.npz"))
    np.savez(tmp_path / "b.npz", x=np.zeros((3, 8, 8)), y=np.arange(4))
    with pytest.raises(ValueError, match="4 labels in 'y' do not match the 3 images"):
        load_images(str(tmp_path / "b.npz"))
    np.savez(tmp_path / "c.npz", x=np.full((3, 8, 8), -1.0))
    with pytest.raises(ValueError, match=r"pixel values span \[-1.0, -1.0\]"):
        load_images(str(tmp_path / "c.npz"))
    (tmp_path / "d.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_images(str(tmp_path / "d.npz"))


def test_image_folder_flat_and_by_class(tmp_path):
    flat = tmp_path / "faces"
    flat.mkdir()
    for i in range(3):  # CelebA-like: non-square colour images
        cv2.imwrite(str(flat / f"{i:06d}.jpg"), np.full((40, 30, 3), (0, 0, 200 + i), np.uint8))
    images, labels = load_images(str(flat), size=16, channels=3)
    assert images.shape == (3, 3, 16, 16) and (labels == -1).all()
    assert images[0, 0].mean() > 0.7 and images[0, 2].mean() < 0.05  # BGR on disk -> RGB
    classes = tmp_path / "classes"
    for name in ("cat", "dog"):
        (classes / name).mkdir(parents=True)
        cv2.imwrite(str(classes / name / "a.png"), np.zeros((8, 8), np.uint8))
    images, labels = load_images(str(classes), size=8)
    assert images.shape == (2, 1, 8, 8) and labels.tolist() == [0, 1]


def test_image_folder_bad_inputs(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty folder"):
        load_images(str(tmp_path / "empty"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="x.png: not a readable image"):
        load_images(str(tmp_path / "broken"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "mnist"}, "data='mnist' is neither a built-in set"),
        ({"channels": 2}, "channels=2 must be 1"),
        ({"size": 2}, "size=2 must be between"),
        ({"n": 5000}, "n=5000 is more than the 1797 images"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_images(**kwargs)


def test_frames_from_an_environment():
    frames, episodes = collect_frames("CartPole-v1", n=30, size=24, channels=3, every=2)
    assert frames.shape == (30, 3, 24, 24) and frames.dtype == np.float32
    assert (np.diff(episodes) >= 0).all() and frames.std() > 0.0
    with pytest.raises(ValueError, match="unknown environment id 'CartPole-v9'"):
        collect_frames("CartPole-v9", n=2)


def test_frames_from_an_atari_game():
    pytest.importorskip("ale_py")
    frames, _ = collect_frames("ALE/Pong-v5", n=3, size=32, channels=1)
    assert frames.shape == (3, 1, 32, 32) and frames.max() > frames.min()
