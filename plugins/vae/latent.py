"""Pictures of a latent space: the decoded manifold, traversals per dimension, interpolations.

All take a trained ``Autoencoder`` and return (N, C, H, W) pixel probabilities in [0, 1]."""

from __future__ import annotations

import torch

from workbench_plugins.vae.model import Autoencoder


@torch.no_grad()
def decode(model: Autoencoder, z: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(model.decode(z))


def gaussian_grid(n: int, lo: float = 0.05, hi: float = 0.95) -> torch.Tensor:
    """``n`` coordinates evenly spaced in probability under N(0, 1): the inverse CDF of a uniform grid,
    as Kingma & Welling's manifold figures use, so each cell covers the same prior mass."""
    return torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(lo, hi, n))


def manifold(model: Autoencoder, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """Decode the grid xs x ys over the first two latent dimensions (the others 0), row by row with
    y growing upwards, so the grid lines up with the latent scatter."""
    gy, gx = torch.meshgrid(ys.flip(0), xs, indexing="ij")
    z = torch.zeros(gx.numel(), model.latent, device=xs.device)
    z[:, 0] = gx.reshape(-1)
    if model.latent > 1:
        z[:, 1] = gy.reshape(-1)
    return decode(model, z)


def traversal(model: Autoencoder, base: torch.Tensor, values: torch.Tensor, dims: int) -> torch.Tensor:
    """One row per latent dimension (the first ``dims``): ``base`` with that dimension set to each value."""
    z = base.repeat(dims * len(values), 1)
    for d in range(dims):
        z[d * len(values) : (d + 1) * len(values), d] = values
    return decode(model, z)


def interpolation(model: Autoencoder, za: torch.Tensor, zb: torch.Tensor, steps: int) -> torch.Tensor:
    """Decoded points on the straight line from ``za`` to ``zb``."""
    t = torch.linspace(0.0, 1.0, steps, device=za.device)[:, None]
    return decode(model, (1 - t) * za + t * zb)
