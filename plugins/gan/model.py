"""DCGAN generator and discriminator (Radford, Metz & Chintala, 2016), and small MLPs for the 2-D toy.

DCGAN guidelines kept here: strided (transposed) convolutions instead of pooling, batch norm in
both nets except the generator's output and the discriminator's input, ReLU in the generator
with tanh at its output, LeakyReLU(0.2) in the discriminator, weights drawn from N(0, 0.02).
"""

from __future__ import annotations

import torch
from torch import nn


def dcgan_init(module: nn.Module) -> None:
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class ConvGenerator(nn.Module):
    """z -> (2w, s/4, s/4) -> (w, s/2, s/2) -> (C, s, s) images in (-1, 1)."""

    def __init__(self, latent: int, channels: int, size: int, width: int) -> None:
        super().__init__()
        self.shape = (2 * width, size // 4, size // 4)
        self.net = nn.Sequential(
            nn.Linear(latent, 2 * width * (size // 4) ** 2, bias=False),
            nn.Unflatten(1, self.shape),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1),
            nn.Tanh(),
        )
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class ConvDiscriminator(nn.Module):
    """(C, s, s) images -> one logit: real (high) or generated (low)."""

    def __init__(self, channels: int, size: int, width: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(2 * width * (size // 4) ** 2, 1),
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


def toy_generator(latent: int, hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2)
    )


class ToyDiscriminator(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, smoothing: float) -> torch.Tensor:
    """-[log D(x) + log(1 - D(G(z)))], with real targets 1 - smoothing (one-sided label smoothing,
    Salimans et al., 2016)."""
    bce = nn.functional.binary_cross_entropy_with_logits
    return bce(real_logits, torch.full_like(real_logits, 1.0 - smoothing)) + bce(
        fake_logits, torch.zeros_like(fake_logits)
    )


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss -log D(G(z)) (Goodfellow et al., 2014, section 3)."""
    return nn.functional.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def slerp(a: torch.Tensor, b: torch.Tensor, steps: int) -> torch.Tensor:
    """Spherical interpolation between two latent vectors (White, 2016): stays where Gaussian noise
    has its mass, unlike a straight line through the origin's low-norm region."""
    t = torch.linspace(0.0, 1.0, steps, device=a.device)[:, None]
    omega = torch.arccos(torch.clamp((a / a.norm()) @ (b / b.norm()), -1.0, 1.0))
    if omega.abs() < 1e-6:
        return (1 - t) * a + t * b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)
