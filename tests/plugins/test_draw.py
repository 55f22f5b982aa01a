"""DRAW: the Gaussian filterbank, read and write, the model's bound, and a tiny headless run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image
from trainers import resumed_steps

from workbench.core.config import from_dict, to_dict
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import HistorySink, LatestSink
from workbench_plugins.draw.config import Config
from workbench_plugins.draw.model import DRAW, Glimpse, filterbank, glimpse_from, read, reconstruction_loss, write


def close(a: torch.Tensor, b: torch.Tensor, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def glimpse(gx, gy, delta, var, gamma=1.0) -> Glimpse:
    return Glimpse(*(torch.tensor([v], dtype=torch.float64) for v in (gx, gy, delta, var, gamma)))


def test_raw_parameters_map_to_the_papers_grid():
    """g̃ = 0 puts the centre mid-image, δ̃ = 1 spreads N filters over the whole side, ±1 reach the edges."""
    g = glimpse_from(torch.zeros(1, 5), 28, 28, 5)
    assert (g.gx.item(), g.gy.item(), g.delta.item(), g.var.item(), g.gamma.item()) == (13.5, 13.5, 27 / 4, 1.0, 1.0)
    g = glimpse_from(torch.tensor([[-1.0, 1.0, 0.0, 0.0, 0.0]]), 28, 28, 5)
    assert (g.gx.item(), g.gy.item()) == (0.0, 27.0)


def test_filter_rows_are_normalised_gaussians():
    fx, fy = filterbank(glimpse(1.0, 1.0, 1.0, 1.0), 1, 3, 3)
    e = math.exp(-0.5)
    close(fx[0, 0], torch.tensor([e, 1, e], dtype=torch.float64) / (1 + 2 * e))
    fx, fy = filterbank(glimpse(10.3, 4.2, 2.5, 3.0), 4, 20, 28)
    assert fx.shape == (1, 4, 28) and fy.shape == (1, 4, 20)
    close(fx.sum(-1), torch.ones(1, 4, dtype=torch.float64))
    assert fx[0].argmax(-1).tolist() == [round(10.3 + (i - 1.5) * 2.5) for i in range(4)]  # μ_i = g + (i - (N-1)/2) δ


def test_read_then_write_with_the_same_glimpse_reproduces_the_patch():
    """Sharp filters on whole pixels (σ² → 0, δ = 1): a read takes the N x N window, scaled by γ; a
    write with the same glimpse puts it back in place (dividing by γ) and leaves the rest empty."""
    x = torch.rand(2, 3, 12, 12, dtype=torch.float64)
    g = glimpse(6.0, 4.0, 1.0, 1e-3, gamma=2.5)
    g = Glimpse(*(v.expand(2) for v in (g.gx, g.gy, g.delta, g.var, g.gamma)))
    fx, fy = filterbank(g, 5, 12, 12)
    patch = read(x, fx, fy, g.gamma)
    close(patch, 2.5 * x[:, :, 2:7, 4:9])
    back = write(patch, fx, fy, g.gamma)
    expected = torch.zeros_like(x)
    expected[:, :, 2:7, 4:9] = x[:, :, 2:7, 4:9]
    close(back, expected)
    close(read(write(patch, fx, fy, g.gamma), fx, fy, g.gamma), patch)


@pytest.mark.parametrize("attention,channels", [(True, 1), (True, 3), (False, 1)])
def test_model_traces_every_step(attention, channels):
    torch.manual_seed(0)
    model = DRAW(channels, 12, glimpses=4, read_n=2, write_n=3, hidden=16, z_dim=3, attention=attention)
    x = torch.rand(5, channels, 12, 12)
    trace = model(x)
    assert len(trace.canvases) == 4 and trace.canvases[-1].shape == x.shape
    assert trace.kl.shape == (5, 4) and (trace.kl >= 0).all()
    assert (trace.reads[0] is None) == (not attention)
    gen = model.generate(3)
    assert gen.canvases[-1].shape == (3, channels, 12, 12)


def test_reconstruction_terms():
    logits, x = torch.zeros(1, 1, 2, 2), torch.tensor([[[[1.0, 0.0], [1.0, 1.0]]]])
    assert reconstruction_loss(logits, x, "bernoulli").item() == pytest.approx(4 * math.log(2))
    assert reconstruction_loss(logits, x, "gaussian").item() == pytest.approx(0.5 * 4 * 0.25)


def test_training_lowers_the_bound_on_digits(tmp_path):
    cfg = from_dict(
        Config,
        {
            **to_dict(Config()),
            "data": "digits",
            "size": 12,
            "steps": 60,
            "hidden": 32,
            "glimpses": 4,
            "batch_size": 32,
            "view_every": 1000,
            "lr": 3e-3,
        },
    )
    history = HistorySink()
    run = Run(find("draw"), cfg, device="cpu", out_dir=None, sinks=[history], on_nonfinite="stop")
    assert run.run().state == "finished", run.error
    loss = history.read("loss")[1]
    assert loss[-10:].mean() < 0.8 * loss[:5].mean()


def test_tiny_headless_run_writes_strips_and_gif(tmp_path):
    cfg = from_dict(
        Config,
        {
            **to_dict(Config()),
            "data": "digits",
            "size": 12,
            "channels": 3,
            "binarize": False,
            "likelihood": "gaussian",
            "steps": 2,
            "hidden": 16,
            "glimpses": 3,
            "batch_size": 4,
            "view_every": 2,
        },
    )
    latest = LatestSink()
    run = Run(find("draw"), cfg, device="cpu", out_dir=tmp_path, sinks=[latest], on_nonfinite="stop")
    assert run.run().state == "finished", run.error
    strip = latest.read("reconstruction")[1]
    assert strip.shape == (4 * 48 + 3 * 2, 4 * 48 + 3 * 2, 3)  # 4 rows; the input then 3 steps, 4x upscaled
    assert np.isnan(strip[48:50]).all() and np.isnan(strip[:, 48:50]).all()  # gaps: the view's background
    assert np.nanmin(strip) >= 0.0 and np.nanmax(strip) <= 1.0 and not np.isnan(strip[:48, :48]).any()
    assert latest.read("kl_per_t")[1].shape == (3,)
    assert Image.open(tmp_path / "writing.gif").n_frames >= 3 + 1  # one frame per step, then the result


def test_bad_config_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="read_n=20 must be at most size=16"):
        from_dict(Config, {**to_dict(Config()), "size": 16, "read_n": 20})


def test_a_run_resumes_from_its_checkpoint(tmp_path):
    cfg = from_dict(
        Config,
        {
            **to_dict(Config()),
            "data": "digits",
            "size": 8,
            "steps": 4,
            "hidden": 8,
            "glimpses": 2,
            "batch_size": 4,
            "view_every": 100,
        },
    )
    assert resumed_steps("draw", cfg, tmp_path, stop_at=2) == [3, 4]
