"""Files out of range fail from their headers with one ValueError naming them, before any run
writes a file: huge labels, negative or fractional labels, complex pixels, huge images."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from tests.cli_errors import rejected
from workbench.data import check_source, load_images
from workbench.data.checks import MAX_CLASSES, MAX_SIDE


def idx_header(path, type_code: int, shape: tuple[int, ...], data: bytes = b"") -> None:
    """An IDX file that declares ``shape``; with no ``data`` it holds the header alone."""
    path.write_bytes(bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + data)


def png_header(path, width: int, height: int) -> None:
    """A PNG that declares ``width`` x ``height`` but holds no pixels: only a header check can size it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b""))


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 1, 3_000_000]), r"labels span \[0, 3000000\]; allowed are class numbers from 0 to 999"),
        (np.array([0, 1, 10**12]), r"labels span \[0, 1000000000000\]"),
        (np.array([0, -3, 1]), r"labels span \[-3, 1\]"),
        (np.array([0.0, 1.5, 2.0]), "labels must be integers, not float64"),
    ],
)
def test_npz_labels_out_of_range_are_refused(tmp_path, labels, message):
    path = tmp_path / "set.npz"
    np.savez(path, x=np.zeros((3, 8, 8), np.uint8), y=labels)
    for call in (check_source, load_images):
        with pytest.raises(ValueError, match=message) as err:
            call(str(path))
        assert str(path) in str(err.value)


def test_the_largest_class_number_is_accepted(tmp_path):
    path = tmp_path / "set.npz"
    np.savez(path, x=np.zeros((2, 8, 8), np.uint8), y=np.array([0, MAX_CLASSES - 1]))
    _, labels = load_images(str(path), size=8)
    assert labels.tolist() == [0, MAX_CLASSES - 1]


def test_complex_pixels_are_refused(tmp_path):
    path = tmp_path / "set.npz"
    np.savez(path, images=np.ones((2, 8, 8), np.complex64))
    with pytest.raises(ValueError, match=r"set.npz 'images': pixels must be real numbers, not complex64"):
        check_source(str(path))


def test_npz_images_with_a_side_over_the_limit_are_refused(tmp_path):
    path = tmp_path / "wide.npz"
    np.savez_compressed(path, x=np.zeros((1, 2, MAX_SIDE + 1), np.uint8))
    with pytest.raises(ValueError, match=rf"wide.npz 'x': images of shape \(1, 2, {MAX_SIDE + 1}\) have a side over"):
        check_source(str(path))


@pytest.mark.parametrize(
    "shape, message",
    [
        ((2, MAX_SIDE + 1, 8), "have a side over the limit of 4096 pixels"),
        ((400, 4000, 4000), r"would take 23.8 GiB once loaded; the limit is 4 GiB"),
    ],
)
def test_idx_headers_over_the_limits_are_refused_without_reading_the_data(tmp_path, shape, message):
    path = tmp_path / "big-images-idx3-ubyte"
    idx_header(path, 0x08, shape)  # the data is missing: the check must not need it
    with pytest.raises(ValueError, match=message):
        check_source(str(path))


def test_idx_labels_file_out_of_range_is_refused(tmp_path):
    images = tmp_path / "train-images-idx3-ubyte"
    idx_header(images, 0x08, (2, 4, 4), bytes(32))
    idx_header(tmp_path / "train-labels-idx1-ubyte", 0x0C, (2,), struct.pack(">2i", 1, 3_000_000))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: labels span \[1, 3000000\]"):
        check_source(str(images))


@pytest.mark.parametrize("width, height", [(MAX_SIDE + 1, 10), (20_000, 20_000)])
def test_an_image_in_a_folder_over_the_limit_is_refused_from_its_header(tmp_path, width, height):
    (tmp_path / "photos").mkdir()
    png_header(tmp_path / "photos" / "huge.png", width, height)
    with pytest.raises(ValueError, match=r"huge.png: .*over the limit of 4096x4096"):
        check_source(str(tmp_path / "photos"))


@pytest.mark.parametrize("plugin", ["cnn-lens", "vae", "gan", "ddpm", "draw"])
def test_a_plugin_refuses_a_bad_data_file_before_writing_anything(tmp_path, capsys, plugin):
    path = tmp_path / "set.npz"
    np.savez(path, x=np.zeros((3, 8, 8), np.uint8), y=np.array([0, 1, 3_000_000]))
    err = rejected(plugin, [f"data={path}"], tmp_path / "run", capsys)
    assert "labels span [0, 3000000]" in err and len(err.strip().splitlines()) == 1
