"""Activation maximisation: the input a feature (or an output) likes best.

Gradient ascent on the input from a gray start, with the regularisers of Yosinski et al.
(2015): L2 decay towards gray, random jitter (the image shifts a few pixels each step, so
the result does not rely on exact pixel positions) and a Gaussian blur every few steps.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from workbench.lens.probe import evaluating, forward_to


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur each channel of (N, C, H, W) ``x`` with a Gaussian of ``sigma`` pixels (reflected edges)."""
    radius = max(1, int(round(3 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    x = F.pad(x, (radius, radius, radius, radius), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def maximise(
    model: nn.Module,
    shape: tuple[int, ...],
    target: int,
    layer: str | None = None,
    *,
    steps: int = 40,
    lr: float = 0.05,
    l2: float = 0.01,
    jitter: int = 2,
    blur_every: int = 4,
    blur_sigma: float = 0.5,
    seed: int = 0,
    lo: float = 0.0,
    hi: float = 1.0,
) -> torch.Tensor:
    """An input of ``shape`` (C, H, W) that maximises ``layer``'s feature ``target`` at the centre
    of its map (one unit, as Erhan et al. 2009 do), or with no layer, output ``target``;
    returned as (C, H, W) in [lo, hi]. Name a conv layer rather than the ReLU after it, so the
    gradient is not zero where the unit starts inactive.

    Each step moves the input by ``lr`` times the gradient divided by its mean magnitude
    (scale-free across layers), pulls it towards mid-gray by ``l2``, and clips to [lo, hi].
    """
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    mid = (lo + hi) / 2
    x = (mid + 0.01 * (hi - lo) * torch.randn((1, *shape), generator=gen)).to(device)
    with evaluating(model), torch.enable_grad():
        for i in range(steps):
            dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=gen).tolist() if jitter else (0, 0)
            shifted = torch.roll(x, (dy, dx), dims=(2, 3)).requires_grad_(True)
            if layer is None:
                out = model(shifted)
                if not 0 <= target < out.shape[1]:
                    raise ValueError(f"target={target} is not an index of the model's {out.shape[1]} outputs")
                score = out[0, target]
            else:
                act = forward_to(model, layer, shifted)
                if not 0 <= target < act.shape[1]:
                    raise ValueError(f"feature={target} is outside layer {layer!r}'s {act.shape[1]} features")
                score = act[0, target, act.shape[2] // 2, act.shape[3] // 2]
            (grad,) = torch.autograd.grad(score, shifted)
            grad = torch.roll(grad, (-dy, -dx), dims=(2, 3))
            with torch.no_grad():
                x = x + lr * (hi - lo) * grad / (grad.abs().mean() + 1e-12) - l2 * (x - mid)
                if blur_every and (i + 1) % blur_every == 0:
                    x = gaussian_blur(x, blur_sigma)
                x = x.clamp(lo, hi)
    return x[0].detach()
