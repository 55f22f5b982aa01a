"""The digits scorer recognises real digits, rejects noise and blends, and measures class spread."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import load_images
from workbench.data.scorer import DigitScorer


@pytest.fixture(scope="module")
def scorer():
    return DigitScorer.trained(size=28, seed=0)


def test_trained_once_per_process_without_touching_torch_rng(scorer):
    import torch

    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    assert DigitScorer.trained(size=28, seed=0) is scorer
    assert DigitScorer.trained(size=16, seed=0) is not scorer  # its own training leaves torch's RNG alone
    assert torch.rand(1) == before


def test_recognises_unseen_glyphs_and_real_digits(scorer):
    glyphs, labels = load_images("glyphs", n=500, seed=99)
    assert scorer.accuracy(glyphs, labels) > 0.95
    digits, labels = load_images("digits", size=28)
    assert scorer.accuracy(digits, labels) > 0.9
    score = scorer.score(digits)
    assert score["sample_score"] > 0.7 and score["class_spread"] > 0.98


def test_noise_and_average_digits_are_not_confident_digits(scorer):
    digits, labels = load_images("digits", size=28)
    noise = np.random.default_rng(0).random((300, 1, 28, 28)).astype(np.float32)
    assert scorer.score(noise)["sample_score"] < 0.05
    mean_digit = np.repeat(digits.mean(axis=0, keepdims=True), 20, axis=0)
    assert scorer.score(mean_digit) == {"sample_score": 0.0, "class_spread": 0.0}


def test_class_spread_is_normalised_entropy(scorer):
    digits, labels = load_images("digits", size=28)
    ones = digits[labels == 1][:50]
    assert scorer.score(ones)["class_spread"] < 0.1  # a collapsed generator: one digit only
    # half zeros, half sevens, of those the scorer reads as such (which few it misreads depends on
    # the float kernels the machine's torch picked while training it)
    zeros = digits[labels == 0][scorer.probabilities(digits[labels == 0]).argmax(axis=1) == 0][:40]
    sevens = digits[labels == 7][scorer.probabilities(digits[labels == 7]).argmax(axis=1) == 7][:40]
    assert len(zeros) == len(sevens) == 40
    assert scorer.score(np.concatenate([zeros, sevens]))["class_spread"] == pytest.approx(np.log(2) / np.log(10))
    assert scorer.score(np.concatenate([zeros, sevens[:10]]))["class_spread"] == pytest.approx(
        (0.8 * np.log(1 / 0.8) + 0.2 * np.log(1 / 0.2)) / np.log(10)
    )


def test_any_size_and_colour_is_scored(scorer):
    digits, _ = load_images("digits", size=32, n=100, channels=3)
    assert scorer.probabilities(digits).shape == (100, 11)
