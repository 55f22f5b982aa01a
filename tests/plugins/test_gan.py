"""GAN losses against hand-computed values, slerp, the toy's score, and tiny real runs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
from PIL import Image
from trainers import collect

from workbench.core.driver import Run
from workbench.core.manifest import discover
from workbench_plugins.gan import toy
from workbench_plugins.gan.config import Config
from workbench_plugins.gan.model import ConvDiscriminator, ConvGenerator, discriminator_loss, generator_loss, slerp
from workbench_plugins.gan.trainer import train

TINY = dict(data="digits", n=256, size=16, steps=6, view_every=3, batch_size=16, width=8, latent=16)


def run(cfg: Config, changes: dict | None = None, actions: tuple = ()) -> list:
    return collect(train, cfg, changes, actions)


def test_discriminator_loss_with_one_sided_label_smoothing_by_hand():
    real, fake = torch.tensor([math.log(3.0)]), torch.tensor([-math.log(3.0)])  # D = 0.75 and 0.25
    assert discriminator_loss(real, fake, 0.0).item() == pytest.approx(-2 * math.log(0.75), abs=1e-6)
    # real target 0.9: -(0.9 ln 0.75 + 0.1 ln 0.25); fake target stays 0: -ln(1 - 0.25)
    expected = -(0.9 * math.log(0.75) + 0.1 * math.log(0.25)) - math.log(0.75)
    assert discriminator_loss(real, fake, 0.1).item() == pytest.approx(expected, abs=1e-6)


def test_non_saturating_generator_loss_by_hand():
    assert generator_loss(torch.tensor([-math.log(3.0)])).item() == pytest.approx(-math.log(0.25), abs=1e-6)


def test_slerp_keeps_the_norm_between_orthogonal_vectors():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    path = slerp(a, b, 5)
    assert torch.allclose(path[0], a) and torch.allclose(path[-1], b, atol=1e-6)
    assert torch.allclose(path.norm(dim=1), torch.full((5,), 3.0))
    assert torch.allclose(path[2], torch.tensor([3.0, 3.0]) / math.sqrt(2))


@pytest.mark.parametrize(("size", "channels"), [(28, 1), (32, 3)])
def test_dcgan_shapes_and_output_range(size, channels):
    g, d = ConvGenerator(10, channels, size, 8), ConvDiscriminator(channels, size, 8)
    x = g(torch.randn(4, 10))
    assert x.shape == (4, channels, size, size) and x.abs().max() <= 1.0
    assert d(x).shape == (4,)


def test_toy_score_counts_modes_and_collapse():
    centres = toy.centres(8)
    assert toy.score(centres, 8) == {"sample_score": 1.0, "class_spread": pytest.approx(1.0)}
    collapsed = np.repeat(centres[:1], 50, axis=0)
    assert toy.score(collapsed, 8) == {"sample_score": 1.0, "class_spread": 0.0}
    assert toy.score(np.zeros((10, 2), np.float32), 8)["sample_score"] == 0.0
    two = np.concatenate([centres[:1], centres[4:5], np.full((2, 2), 9.0, np.float32)])
    assert toy.score(two, 8) == {"sample_score": 0.5, "class_spread": pytest.approx(math.log(2) / math.log(8))}


def test_tiny_run_logs_the_discriminator_outputs_and_scores():
    snaps = run(Config(**TINY))
    assert [s.step for s in snaps] == list(range(7))
    assert all(s.scalars["d_real"] > s.scalars["d_fake"] for s in snaps[1:])  # D tells real from fake
    assert snaps[-1].scalars["d_real"] > snaps[1].scalars["d_real"] + 0.05  # and gets surer: 0.52 to 0.60 measured
    assert {"sample_score", "class_spread"} <= set(snaps[-1].scalars)
    assert snaps[-1].arrays["samples"].shape == (8 * 17 - 1, 8 * 17 - 1)
    assert snaps[-1].arrays["traversal"].shape == (3 * 17 - 1, 9 * 17 - 1)


def test_the_walk_action_moves_the_samples():
    """Against a same-seed run without the walk, at the same step: only the walk differs."""
    walked = run(Config(**TINY), actions=(("walk", {"d1": 3.0}),))
    still = run(Config(**TINY))
    assert "walk" in walked[2].arrays and "walk" not in still[2].arrays  # the action redraws at once
    assert not np.array_equal(walked[3].arrays["walk"], still[3].arrays["walk"], equal_nan=True)
    assert np.array_equal(walked[3].arrays["samples"], still[3].arrays["samples"], equal_nan=True)  # gaps are NaN


def test_headless_run_writes_a_gif_of_the_samples_forming(tmp_path):
    manifest = next(m for m in discover() if m.id == "gan")
    status = Run(manifest, Config(**TINY), device="cpu", out_dir=tmp_path, on_nonfinite="stop").run()
    assert status.state == "finished"
    with Image.open(tmp_path / "samples.gif") as gif:
        assert gif.n_frames == 3  # step 0, 3 and 6
    assert np.load(tmp_path / "samples.npy").shape == (64, 1, 16, 16)


def test_a_latent_smaller_than_the_walk_directions_walks_what_it_has():
    snaps = run(Config(mode="toy", latent=2, steps=20, view_every=10), actions=(("walk", {"d1": 1.0, "d3": 2.0}),))
    assert snaps[-1].arrays["walk"].shape == (toy.PIXELS, toy.PIXELS, 3)


def test_toy_generator_finds_the_ring():
    """Most samples land on a mode, and they spread over several of the 4 (a generator collapsed onto one
    mode scores 1.0 but spreads 0): 0.71 and 0.76 measured; an untrained generator scores 0 and 0."""
    snaps = run(
        Config(mode="toy", modes=4, steps=600, view_every=300, batch_size=128, latent=4, width=16, g_lr=2e-3, d_lr=2e-3)
    )
    assert snaps[-1].arrays["samples"].shape == (toy.PIXELS, toy.PIXELS, 3)
    assert snaps[-1].scalars["sample_score"] > 0.5
    assert snaps[-1].scalars["class_spread"] > 0.6  # log 3 / log 4 = 0.79: three modes evenly; two: 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 30}, "size=30 must be a multiple of 4"),
        ({"data": "missing.idx"}, "data='missing.idx' is neither"),
        ({"label_smoothing": 0.7}, r"label_smoothing=0.7 is outside \[0.0, 0.5\]"),
    ],
)
def test_bad_settings_say_what_is_allowed(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Config(**kwargs)


def test_toy_mode_needs_no_image_set():
    assert Config(mode="toy", data="missing.idx", size=30).mode == "toy"


def test_resume_continues_from_the_checkpoint(tmp_path):
    from workbench.core.sinks import read_metrics

    manifest = next(m for m in discover() if m.id == "gan")
    cfg = Config(**TINY)
    assert Run(manifest, cfg, device="cpu", out_dir=tmp_path / "a", on_nonfinite="stop").run().state == "finished"
    longer = dataclasses.replace(cfg, steps=9)
    status = Run(
        manifest, longer, device="cpu", out_dir=tmp_path / "b", resume_from=tmp_path / "a", on_nonfinite="stop"
    ).run()
    assert status.state == "finished"
    steps = read_metrics(tmp_path / "b" / "metrics.csv")["step"]
    assert steps[0] == 7 and steps[-1] == 9
