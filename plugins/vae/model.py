"""Encoders, decoders and the ELBO terms of an autoencoder and a VAE (Kingma & Welling, 2014).

The decoder outputs Bernoulli logits per pixel; the encoder of a VAE outputs the mean and log
variance of a diagonal Gaussian q(z|x); the prior is N(0, I).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = mu + sigma * eps with eps ~ N(0, I): the sample stays differentiable in mu and logvar."""
    return mu + torch.exp(0.5 * logvar) * eps


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) per sample, in closed form:
    0.5 * sum(mu^2 + sigma^2 - 1 - log sigma^2)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1)


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """-log p(x|z) per sample for Bernoulli pixels: binary cross-entropy summed over pixels."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(dim=1)


def kl_weight(beta: float, anneal_epochs: int, epoch: float) -> float:
    """beta, ramped linearly from 0 over the first ``anneal_epochs`` epochs (Bowman et al., 2016)."""
    return beta if anneal_epochs <= 0 else beta * min(1.0, epoch / anneal_epochs)


class MlpCoder(nn.Module):
    """Two hidden ReLU layers: images -> ``out`` numbers (encoder) or latent -> images (decoder)."""

    def __init__(self, n_in: int, hidden: int, n_out: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_out)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))


class ConvEncoder(nn.Module):
    def __init__(self, channels: int, size: int, width: int, n_out: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, 4, 2, 1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(2 * width * (size // 4) ** 2, n_out),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ConvDecoder(nn.Module):
    def __init__(self, latent: int, channels: int, size: int, width: int) -> None:
        super().__init__()
        self.shape = (2 * width, size // 4, size // 4)
        self.fc = nn.Sequential(nn.Linear(latent, 2 * width * (size // 4) ** 2), nn.ReLU())
        self.net = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(width, channels, 4, 2, 1)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.fc(z).view(-1, *self.shape))


class Autoencoder(nn.Module):
    """A plain autoencoder (``variational=False``: z is the encoder's output) or a VAE (the encoder
    gives mu and log sigma^2 and z is sampled with the reparameterisation trick)."""

    def __init__(self, shape: tuple[int, int, int], latent: int, hidden: int, arch: str, variational: bool) -> None:
        super().__init__()
        c, h, w = shape
        self.shape, self.latent, self.variational = shape, latent, variational
        n_code = 2 * latent if variational else latent
        if arch == "mlp":
            self.encoder = MlpCoder(c * h * w, hidden, n_code)
            self.decoder = nn.Sequential(MlpCoder(latent, hidden, c * h * w), nn.Unflatten(1, shape))
        else:
            width = max(8, hidden // 16)
            self.encoder = ConvEncoder(c, h, width, n_code)
            self.decoder = ConvDecoder(latent, c, h, width)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mu, logvar) of q(z|x); a plain autoencoder returns its code as mu and zeros as logvar."""
        code = self.encoder(x)
        if not self.variational:
            return code, torch.zeros_like(code)
        mu, logvar = code.chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits of the pixels."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return (reconstruction logits, mu, logvar); a VAE decodes a reparameterised sample."""
        mu, logvar = self.encode(x)
        z = reparameterise(mu, logvar, torch.randn_like(mu)) if self.variational else mu
        return self.decode(z), mu, logvar
