"""DDPM: the forward process, the posterior, the DDPM and DDIM steps, the UNet, and a tiny run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image
from trainers import collect, resumed_steps

from workbench.core.config import from_dict, to_dict
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import HistorySink, LatestSink
from workbench_plugins.ddpm.config import Config
from workbench_plugins.ddpm.diffusion import Diffusion, betas, ddim_timesteps, sample
from workbench_plugins.ddpm.model import UNet, guided_eps
from workbench_plugins.ddpm.trainer import train

LINEAR = Diffusion(betas("linear", 1000))


def close(a: torch.Tensor, b: torch.Tensor, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def test_linear_schedule_is_the_papers():
    assert LINEAR.beta[0].item() == pytest.approx(1e-4)
    assert LINEAR.beta[-1].item() == pytest.approx(0.02)
    assert LINEAR.alpha_bar[-1].item() == pytest.approx(math.prod(1 - b for b in np.linspace(1e-4, 0.02, 1000)))
    assert LINEAR.alpha_bar[-1].item() < 1e-4  # x_T is (almost) pure noise


def test_cosine_schedule_follows_cos_squared():
    d = Diffusion(betas("cosine", 1000))
    f = lambda t: math.cos((t / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    assert d.alpha_bar[499].item() == pytest.approx(f(500) / f(0), rel=1e-9)
    assert d.beta.max().item() <= 0.999


def test_closed_form_forward_matches_the_iterated_chain():
    """x_t from t single steps x_t = sqrt(1 - β_t) x_{t-1} + sqrt(β_t) ε has the moments of
    sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε, both exactly (the variance recursion) and by sampling."""
    gen = torch.Generator().manual_seed(0)
    x0 = torch.full((20_000,), 0.7, dtype=torch.float64)
    x, var = x0.clone(), 0.0
    for t in range(300):
        b = LINEAR.beta[t].item()
        x = math.sqrt(1 - b) * x + math.sqrt(b) * torch.randn(x.shape, generator=gen, dtype=torch.float64)
        var = (1 - b) * var + b
    a = LINEAR.alpha_bar[299].item()
    assert var == pytest.approx(1 - a, rel=1e-12)
    closed = LINEAR.q_sample(x0, torch.full((20_000,), 299), torch.randn(x0.shape, generator=gen, dtype=torch.float64))
    for xs in (x, closed):
        assert xs.mean().item() == pytest.approx(math.sqrt(a) * 0.7, abs=4 * math.sqrt((1 - a) / 20_000))
        assert xs.var().item() == pytest.approx(1 - a, rel=0.04)


def test_posterior_mean_and_variance_by_hand():
    """T = 3 with β = 0.1, 0.2, 0.3: ᾱ = 0.9, 0.72, 0.504; at t = 1 (the second step) Bayes'
    rule on N(x_{t-1}; sqrt(ᾱ_{t-1}) x_0, 1 - ᾱ_{t-1}) N(x_t; sqrt(α_t) x_{t-1}, β_t) gives
    precision 1/0.1 + 0.8/0.2 = 14."""
    d = Diffusion(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))
    x0, xt = torch.tensor([0.5], dtype=torch.float64), torch.tensor([-0.3], dtype=torch.float64)
    mean, var = d.posterior(x0, xt, torch.tensor([1]))
    assert var.item() == pytest.approx(1 / 14)
    assert var.item() == pytest.approx(0.1 / 0.28 * 0.2)  # β̃_t = (1 - ᾱ_{t-1}) / (1 - ᾱ_t) β_t
    assert mean.item() == pytest.approx((math.sqrt(0.9) * 0.5 / 0.1 + math.sqrt(0.8) * -0.3 / 0.2) / 14)
    mean0, var0 = d.posterior(x0, xt, torch.tensor([0]))  # the last step lands on x_0 exactly
    assert var0.item() == 0.0 and mean0.item() == pytest.approx(0.5)


@pytest.mark.parametrize("clip", [False, True])
def test_ddim_with_eta_one_is_the_ddpm_step(clip):
    gen = torch.Generator().manual_seed(1)
    xt, eps, z = (torch.randn(6, 1, 4, 4, generator=gen, dtype=torch.float64) for _ in range(3))
    for t in (999, 500, 10, 1):
        tt = torch.full((6,), t)
        _, var = LINEAR.posterior(xt, xt, tt)
        assert LINEAR.ddim_sigma(tt, tt - 1, 1.0)[0].item() ** 2 == pytest.approx(var[0].item(), rel=1e-9)
        ddpm = LINEAR.ddpm_step(xt, tt, eps, z, clip)
        ddim = LINEAR.ddim_step(xt, tt, tt - 1, eps, 1.0, z, clip)
        close(ddim, ddpm, rtol=1e-9, atol=1e-9)


def test_ddim_timesteps_span_the_chain():
    assert ddim_timesteps(1000, 50)[0] == 999 and ddim_timesteps(1000, 50)[-1] == 0
    assert len(ddim_timesteps(1000, 50)) == 50
    assert ddim_timesteps(1000, 1000) == list(range(999, -1, -1))
    with pytest.raises(ValueError, match="sample_steps=0"):
        ddim_timesteps(1000, 0)


def gaussian_eps(m: float, s: float):
    """The exact ε-predictor E[ε | x_t] when every pixel of the data is N(m, s²)."""

    def eps(x, t):
        a = LINEAR.abar(t).to(x.dtype).reshape(-1, 1)
        return (1 - a).sqrt() * (x - a.sqrt() * m) / (a * s**2 + 1 - a)

    return eps


def test_ddpm_sampler_with_the_exact_noise_predictor_recovers_gaussian_data():
    gen = torch.Generator().manual_seed(2)
    out = sample(
        gaussian_eps(0.3, 0.2),
        LINEAR,
        torch.randn(4000, 1, generator=gen, dtype=torch.float64),
        "ddpm",
        generator=gen,
        clip=False,
    )
    assert out.mean().item() == pytest.approx(0.3, abs=0.02)
    assert out.std().item() == pytest.approx(0.2, rel=0.05)


def test_ddim_is_deterministic_and_converges_with_more_steps():
    """η = 0 maps noise to data by a fixed map: a point mass comes back exactly in few steps, and
    Gaussian data keeps its mean while its spread approaches s from below as steps grow (first-order
    discretisation of the probability-flow ODE)."""
    noise = torch.randn(4000, 1, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    point = sample(gaussian_eps(0.3, 0.0), LINEAR, noise, "ddim", 10, 0.0, clip=False)
    close(point, torch.full_like(point, 0.3))
    stds = []
    for steps in (10, 50, 200):
        out = sample(gaussian_eps(0.3, 0.2), LINEAR, noise, "ddim", steps, 0.0, clip=False)
        close(out, sample(gaussian_eps(0.3, 0.2), LINEAR, noise, "ddim", steps, 0.0, clip=False))
        assert out.mean().item() == pytest.approx(0.3, abs=0.01)
        stds.append(out.std().item())
    assert stds[0] < stds[1] < stds[2] < 0.2 and stds[2] > 0.18


def test_unet_shapes_and_guidance():
    torch.manual_seed(0)
    net = UNet(channels=3, size=16, width=8, attn_res=8, classes=10)
    torch.nn.init.normal_(net.out[-1].weight, std=0.1)  # the output layer starts at zero
    x, t, y = torch.randn(2, 3, 16, 16), torch.tensor([5, 900]), torch.tensor([3, 7])
    assert net(x, t, y).shape == (2, 3, 16, 16)
    close(guided_eps(net, x, t, y, 1.0), net(x, t, y))
    close(guided_eps(net, x, t, y, 0.0), net(x, t), rtol=1e-4, atol=1e-5)
    assert not torch.allclose(net(x, t, y), net(x, t))


@pytest.mark.parametrize(
    "values,message",
    [
        ({"size": 18}, "size=18 must be a multiple of 4"),
        ({"width": 12}, "width=12 must be a multiple of 8"),
        ({"attn_res": 5}, r"attn_res=5 must be 0 or one of the UNet's sides \(16, 8, 4\)"),
        ({"strip": "999,x"}, "strip='999,x' must be comma-separated integers"),
        ({"strip": "1000,0"}, "between 0 and 999"),
        ({"sample_steps": 2000}, "sample_steps=2000 must be at most timesteps=1000"),
        ({"data": "/no/such/file.npz"}, "data='/no/such/file.npz' is neither"),
    ],
)
def test_bad_config_is_refused_with_the_reason(values, message):
    with pytest.raises(ValueError, match=message):
        from_dict(Config, {**to_dict(Config()), **values})


def test_a_short_digits_run_learns_to_predict_the_noise_and_draws_digits():
    """The untrained UNet outputs zero (its last layer starts at zero), so the first loss is E[ε²] = 1 only
    when ε is the target; 100 steps then cut it several times over and some samples read as digits
    (0.08 measured; a model trained on x_0 as the target, or not at all, scores 0 to 0.02)."""
    cfg = Config(
        data="digits",
        size=8,
        width=16,
        attn_res=0,
        lr=3e-3,
        steps=100,
        batch_size=32,
        sample_every=100,
        sample_steps=20,
        samples=64,
    )
    snaps = collect(train, cfg)
    losses = [s.scalars["loss"] for s in snaps if "loss" in s.scalars]
    assert losses[0] == pytest.approx(1.0, abs=0.15)
    assert np.mean(losses[-30:]) < 0.25 * losses[0]
    scores = [s.scalars["sample_score"] for s in snaps if "sample_score" in s.scalars]
    assert len(scores) == 1 and scores[0] > 0.03


def test_tiny_conditional_run_on_a_file_writes_views_and_gif(tmp_path):
    """A class-conditional run with guidance on an .npz of two classes (bright left or right half)."""
    x = np.zeros((20, 16, 16), np.float32)
    x[::2, :, :8] = 1.0
    x[1::2, :, 8:] = 1.0
    np.savez(tmp_path / "halves.npz", x=x, y=np.arange(20) % 2)
    cfg = from_dict(
        Config,
        {
            **to_dict(Config()),
            "data": str(tmp_path / "halves.npz"),
            "steps": 4,
            "width": 8,
            "batch_size": 8,
            "sample_every": 2,
            "sample_steps": 6,
            "samples": 8,
            "conditional": True,
            "guidance": 2.0,
        },
    )
    history, latest = HistorySink(), LatestSink()
    out = tmp_path / "run"
    run = Run(find("ddpm"), cfg, device="cpu", out_dir=out, sinks=[history, latest], on_nonfinite="stop")
    assert run.run().state == "finished", run.error
    assert "sample_score" not in history.keys()  # not digits: nothing to score (the smoke run scores digits)
    assert history.read("loss")[0].tolist() == [1, 2, 3, 4]
    assert latest.read("loss_by_t")[1].shape == (10,)
    strip = latest.read("reverse")[1]
    assert strip.ndim == 2 and np.isnan(strip[16 * 4 : 17 * 4]).all()  # gray; gaps are the view's background
    samples = latest.read("samples")[1]
    assert samples.shape == (2 * (4 * 17 - 1), 2 * (2 * 17 - 1))  # one column per class, upscaled 2x
    assert np.isnan(samples[2 * 16 : 2 * 17]).all() and not np.isnan(samples[: 2 * 16, : 2 * 16]).any()
    # the forward view: x_0 and x_t only, the timesteps named over them, the SNR as a plotted curve
    forward = latest.read("forward")[1]
    assert forward.shape == (6 * 16, 6 * 33) and np.isnan(forward[:, 6 * 16 : 6 * 17]).all()
    assert latest.read("forward_t")[1].tolist() == [0, cfg.forward_t]
    snr, labels = latest.read("snr")[1], latest.read("snr_labels")[1]
    assert set(snr[labels == 1, 0].tolist()) == {cfg.forward_t} and np.all(np.diff(snr[labels == 0, 1]) < 0)
    gif = Image.open(out / "denoise.gif")
    assert gif.n_frames >= 6  # one frame per DDIM step, then the result held


def test_a_run_resumes_from_its_checkpoint(tmp_path):
    x = np.random.default_rng(0).uniform(0, 1, (12, 8, 8)).astype(np.float32)
    np.savez(tmp_path / "noise.npz", x=x)
    cfg = from_dict(
        Config,
        {
            **to_dict(Config()),
            "data": str(tmp_path / "noise.npz"),
            "size": 8,
            "attn_res": 4,
            "steps": 4,
            "width": 8,
            "batch_size": 4,
            "sample_every": 100,
            "sample_steps": 2,
            "samples": 2,
        },
    )
    assert resumed_steps("ddpm", cfg, tmp_path / "run", stop_at=2) == [3, 4]
