"""The diffusion process of Ho et al. (2020): noise schedules, the closed-form forward process,
the true posterior q(x_{t-1} | x_t, x_0), and the DDPM and DDIM (Song et al. 2021) reverse steps.

Indices run t = 0 .. T-1 (the papers' 1 .. T); ``alpha_bar`` before the first step is 1, so the
last reverse step lands on the predicted x_0 without noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

SCHEDULES = ("linear", "cosine")


def betas(schedule: str, steps: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> torch.Tensor:
    """β_1..β_T in float64: linear from ``beta_start`` to ``beta_end`` (DDPM), or the cosine
    schedule of Nichol & Dhariwal (2021), whose ᾱ follows cos² and whose β are capped at 0.999."""
    if schedule == "linear":
        return torch.linspace(beta_start, beta_end, steps, dtype=torch.float64)
    if schedule == "cosine":
        s = 0.008
        x = torch.arange(steps + 1, dtype=torch.float64) / steps
        f = torch.cos((x + s) / (1 + s) * math.pi / 2) ** 2
        return (1 - f[1:] / f[:-1]).clamp(max=0.999)
    raise ValueError(f"schedule={schedule!r} is not one of: {', '.join(SCHEDULES)}")


class Diffusion:
    """The fixed forward process and the reverse-step arithmetic for one schedule.

    Args:
        beta: (T,) variances of the forward steps.
    """

    def __init__(self, beta: torch.Tensor) -> None:
        self.beta = beta.double()
        self.alpha = 1 - self.beta
        self.alpha_bar = torch.cumprod(self.alpha, 0)
        self.steps = len(beta)
        self._abar_from_minus_one = torch.cat([torch.ones(1, dtype=torch.float64, device=beta.device), self.alpha_bar])

    def to(self, device: str | torch.device) -> Diffusion:
        return Diffusion(self.beta.to(device))

    def abar(self, t: torch.Tensor) -> torch.Tensor:
        """ᾱ_t with ᾱ_{-1} = 1 (float64; t may hold -1)."""
        return self._abar_from_minus_one[t.long() + 1]

    def snr(self, t: torch.Tensor) -> torch.Tensor:
        """Signal-to-noise ratio ᾱ_t / (1 - ᾱ_t) of x_t."""
        a = self.abar(t)
        return a / (1 - a)

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε: all t forward steps at once (eq. 4)."""
        a = _bcast(self.abar(t), x0)
        return a.sqrt() * x0 + (1 - a).sqrt() * noise

    def predict_x0(self, xt: torch.Tensor, t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """x_0 implied by x_t and a noise estimate: the forward closed form solved for x_0."""
        a = _bcast(self.abar(t), xt)
        return (xt - (1 - a).sqrt() * eps) / a.sqrt()

    def posterior(self, x0: torch.Tensor, xt: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and variance of q(x_{t-1} | x_t, x_0) (eq. 6-7); the variance is 0 at t = 0."""
        a, a_prev = self.abar(t), self.abar(t - 1)
        beta = self.beta[t.long()]
        coef0 = a_prev.sqrt() * beta / (1 - a)
        coeft = self.alpha[t.long()].sqrt() * (1 - a_prev) / (1 - a)
        var = (1 - a_prev) / (1 - a) * beta
        return _bcast(coef0, x0) * x0 + _bcast(coeft, xt) * xt, _bcast(var, xt)

    def ddpm_step(
        self, xt: torch.Tensor, t: torch.Tensor, eps: torch.Tensor, noise: torch.Tensor, clip: bool = True
    ) -> torch.Tensor:
        """One ancestral step x_t -> x_{t-1} ~ N(μ̃(x_t, x̂_0), β̃_t) (Algorithm 2 with σ² = β̃)."""
        x0 = self.predict_x0(xt, t, eps)
        if clip:
            x0 = x0.clamp(-1, 1)
        mean, var = self.posterior(x0, xt, t)
        return mean + var.sqrt() * noise

    def ddim_sigma(self, t: torch.Tensor, t_prev: torch.Tensor, eta: float) -> torch.Tensor:
        """σ of a DDIM step t -> t_prev (Song et al. eq. 16); η = 1 gives DDPM's posterior σ."""
        a, a_prev = self.abar(t), self.abar(t_prev)
        return eta * ((1 - a_prev) / (1 - a) * (1 - a / a_prev)).sqrt()

    def ddim_step(
        self,
        xt: torch.Tensor,
        t: torch.Tensor,
        t_prev: torch.Tensor,
        eps: torch.Tensor,
        eta: float,
        noise: torch.Tensor,
        clip: bool = True,
    ) -> torch.Tensor:
        """x_{t_prev} = sqrt(ᾱ_prev) x̂_0 + sqrt(1 - ᾱ_prev - σ²) ε̂ + σ z (Song et al. eq. 12)."""
        x0 = self.predict_x0(xt, t, eps)
        if clip:
            x0 = x0.clamp(-1, 1)
            eps = (xt - _bcast(self.abar(t), xt).sqrt() * x0) / _bcast(1 - self.abar(t), xt).sqrt()
        a_prev = _bcast(self.abar(t_prev), xt)
        sigma = _bcast(self.ddim_sigma(t, t_prev, eta), xt)
        return a_prev.sqrt() * x0 + (1 - a_prev - sigma**2).clamp(min=0).sqrt() * eps + sigma * noise


SAMPLERS = ("ddpm", "ddim")


def sample(
    eps_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    diffusion: Diffusion,
    noise: torch.Tensor,
    sampler: str = "ddpm",
    sample_steps: int = 50,
    eta: float = 0.0,
    generator: torch.Generator | None = None,
    clip: bool = True,
    on_step: Callable[[int, torch.Tensor], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> torch.Tensor:
    """Run the reverse process from ``noise`` (x at t = T-1) and return the sample.

    ``ddpm``: the ancestral sampler through all T steps, x_{t-1} ~ q(x_{t-1} | x_t, x̂_0).
    ``ddim``: ``sample_steps`` steps of DDIM with noise level ``eta``. ``on_step(t, x_t)`` sees the
    state entering each step (for strips and animations); ``should_stop()`` returning True ends
    the loop early with the state reached so far.
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler={sampler!r} is not one of: {', '.join(SAMPLERS)}")
    timesteps = (
        list(range(diffusion.steps - 1, -1, -1)) if sampler == "ddpm" else ddim_timesteps(diffusion.steps, sample_steps)
    )
    x = noise
    for i, t in enumerate(timesteps):
        if should_stop is not None and should_stop():
            break
        if on_step is not None:
            on_step(t, x)
        tt = torch.full((x.shape[0],), t, device=x.device, dtype=torch.long)
        eps = eps_fn(x, tt)
        z = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        if sampler == "ddpm":
            x = diffusion.ddpm_step(x, tt, eps, z, clip)
        else:
            t_prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
            x = diffusion.ddim_step(x, tt, torch.full_like(tt, t_prev), eps, eta, z, clip)
    return x


def ddim_timesteps(steps: int, sample_steps: int) -> list[int]:
    """``sample_steps`` timesteps evenly spread from T-1 down to 0 (both ends included)."""
    if not 1 <= sample_steps <= steps:
        raise ValueError(f"sample_steps={sample_steps!r} must be between 1 and {steps}")
    if sample_steps == 1:
        return [steps - 1]
    return sorted({round(i * (steps - 1) / (sample_steps - 1)) for i in range(sample_steps)}, reverse=True)


def _bcast(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A (B,) or scalar float64 coefficient shaped and typed to multiply a (B, C, H, W) tensor."""
    v = v.to(like.dtype)
    return v.reshape(-1, *([1] * (like.dim() - 1))) if v.dim() else v
