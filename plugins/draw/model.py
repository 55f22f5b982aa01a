"""DRAW (Gregor et al. 2015): a recurrent VAE that builds its image on a canvas over T steps,
reading and writing through N x N grids of Gaussian filters placed by the decoder (section 3),
or reading the whole image and writing the whole canvas in the variant without attention.

Coordinates are in pixels from 0 (the paper counts from 1): a grid centre g̃ in [-1, 1] maps
to g in [0, side - 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

WRITE_EXTENT = 0.4  # the first write grid spans this fraction of the image side


@dataclass
class Glimpse:
    """Where one read or write looks, per image: grid centre, stride, filter variance, intensity."""

    gx: torch.Tensor
    gy: torch.Tensor
    delta: torch.Tensor
    var: torch.Tensor
    gamma: torch.Tensor


def glimpse_from(raw: torch.Tensor, height: int, width: int, n: int) -> Glimpse:
    """Eq. 21-24: (g̃X, g̃Y, log σ², log δ̃, log γ) -> centre, stride, variance and intensity."""
    gx_, gy_, log_var, log_delta, log_gamma = raw.unbind(-1)
    gx = (width - 1) / 2 * (gx_ + 1)
    gy = (height - 1) / 2 * (gy_ + 1)
    delta = (max(height, width) - 1) / max(n - 1, 1) * torch.exp(log_delta)
    return Glimpse(gx, gy, delta, torch.exp(log_var), torch.exp(log_gamma))


def filterbank(g: Glimpse, n: int, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Eq. 19-20, 25-26: F_X (B, n, width) and F_Y (B, n, height), each row a Gaussian over
    pixel positions centred at μ_i = g + (i - (n - 1) / 2) δ, normalised to sum to 1."""
    offsets = torch.arange(n, device=g.gx.device, dtype=g.gx.dtype) - (n - 1) / 2
    mu_x = g.gx[:, None] + offsets * g.delta[:, None]
    mu_y = g.gy[:, None] + offsets * g.delta[:, None]
    a = torch.arange(width, device=g.gx.device, dtype=g.gx.dtype)
    b = torch.arange(height, device=g.gx.device, dtype=g.gx.dtype)
    var = g.var[:, None, None]
    fx = torch.exp(-((a - mu_x[..., None]) ** 2) / (2 * var))
    fy = torch.exp(-((b - mu_y[..., None]) ** 2) / (2 * var))
    return fx / (fx.sum(-1, keepdim=True) + 1e-8), fy / (fy.sum(-1, keepdim=True) + 1e-8)


def read(x: torch.Tensor, fx: torch.Tensor, fy: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """Eq. 27: γ F_Y x F_X^T, the same glimpse for every channel: (B, C, H, W) -> (B, C, n, n)."""
    return gamma[:, None, None, None] * (fy[:, None] @ x @ fx[:, None].transpose(-1, -2))


def write(patch: torch.Tensor, fx: torch.Tensor, fy: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """Eq. 29: (1/γ) F_Y^T w F_X: (B, C, n, n) -> (B, C, H, W)."""
    return (fy[:, None].transpose(-1, -2) @ patch @ fx[:, None]) / gamma[:, None, None, None]


@dataclass
class Trace:
    """One pass of DRAW: canvas logits after every step, the latents' KL per step, and the glimpses."""

    canvases: list[torch.Tensor]
    kl: torch.Tensor  # (B, T)
    reads: list[Glimpse]
    writes: list[Glimpse]


class DRAW(nn.Module):
    """Encoder and decoder LSTMs exchanging one latent per step; the canvas is the sum of writes.

    Args:
        channels, size: image shape (channels, size, size).
        glimpses: T, the number of steps.
        read_n, write_n: grid sides of the read and write filterbanks.
        hidden: LSTM state size; z_dim: latent size per step.
        attention: False for the variant that reads whole images and writes whole canvases.
    """

    def __init__(
        self,
        channels: int = 1,
        size: int = 28,
        glimpses: int = 10,
        read_n: int = 2,
        write_n: int = 5,
        hidden: int = 256,
        z_dim: int = 16,
        attention: bool = True,
    ) -> None:
        super().__init__()
        self.channels, self.size, self.glimpses = channels, size, glimpses
        self.read_n, self.write_n, self.hidden, self.z_dim, self.attention = read_n, write_n, hidden, z_dim, attention
        read_dim = 2 * channels * (read_n**2 if attention else size**2)
        write_dim = channels * (write_n**2 if attention else size**2)
        self.encoder = nn.LSTMCell(read_dim + hidden, hidden)
        self.decoder = nn.LSTMCell(z_dim, hidden)
        self.q = nn.Linear(hidden, 2 * z_dim)
        self.write_patch = nn.Linear(hidden, write_dim)
        self.read_where = self._where(read_n, write=False)
        self.write_where = self._where(write_n, write=True)

    def _where(self, n: int, write: bool) -> nn.Linear:
        """A glimpse head whose first glimpse is usable: reads span the whole image and writes the
        central 40% of it (δ̃ = 1 or 0.4), with filters half a stride wide, and writes get the
        intensity 1/γ = 2πσ² so a patch value of 1 adds about 1 to the canvas logits. (With a zero
        bias the filters are one pixel wide: a 2x2 read starts on the empty corners, sees nothing,
        and the latents collapse before it moves; whole-image writes never need to move.)"""
        head = nn.Linear(self.hidden, 5)
        extent = WRITE_EXTENT if write else 1.0
        sigma = max((self.size - 1) / max(n - 1, 1) * extent / 2, 0.5)
        with torch.no_grad():
            head.bias.zero_()
            head.bias[2] = 2 * math.log(sigma)
            head.bias[3] = math.log(extent)
            if write:
                head.bias[4] = -math.log(2 * math.pi * sigma**2)
        return head

    def _read(self, x: torch.Tensor, x_err: torch.Tensor, h_dec: torch.Tensor) -> tuple[torch.Tensor, Glimpse | None]:
        if not self.attention:
            return torch.cat([x.flatten(1), x_err.flatten(1)], 1), None
        g = glimpse_from(self.read_where(h_dec), self.size, self.size, self.read_n)
        fx, fy = filterbank(g, self.read_n, self.size, self.size)
        return torch.cat([read(x, fx, fy, g.gamma).flatten(1), read(x_err, fx, fy, g.gamma).flatten(1)], 1), g

    def _write(self, h_dec: torch.Tensor) -> tuple[torch.Tensor, Glimpse | None]:
        w = self.write_patch(h_dec)
        if not self.attention:
            return w.view(-1, self.channels, self.size, self.size), None
        g = glimpse_from(self.write_where(h_dec), self.size, self.size, self.write_n)
        fx, fy = filterbank(g, self.write_n, self.size, self.size)
        return write(w.view(-1, self.channels, self.write_n, self.write_n), fx, fy, g.gamma), g

    def _state(self, batch: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        zeros = torch.zeros(batch, self.hidden, device=device)
        return zeros, zeros.clone()

    def forward(self, x: torch.Tensor) -> Trace:
        """Encode and reconstruct ``x`` (eq. 3-8): per step read the image and the error image,
        sample z_t from Q(z_t | h_enc), decode and add a write to the canvas."""
        b = x.shape[0]
        c = torch.zeros_like(x)
        h_enc, h_dec = self._state(b, x.device), self._state(b, x.device)
        canvases, kls, reads, writes = [], [], [], []
        for _ in range(self.glimpses):
            x_err = x - torch.sigmoid(c)
            r, g_read = self._read(x, x_err, h_dec[0])
            h_enc = self.encoder(torch.cat([r, h_dec[0]], 1), h_enc)
            mu, log_sigma = self.q(h_enc[0]).chunk(2, dim=1)
            z = mu + torch.exp(log_sigma) * torch.randn_like(mu)
            h_dec = self.decoder(z, h_dec)
            w, g_write = self._write(h_dec[0])
            c = c + w
            kls.append(0.5 * (mu**2 + torch.exp(2 * log_sigma) - 2 * log_sigma - 1).sum(1))  # eq. 11
            canvases.append(c)
            reads.append(g_read)
            writes.append(g_write)
        return Trace(canvases, torch.stack(kls, 1), reads, writes)

    @torch.no_grad()
    def generate(self, n: int, generator: torch.Generator | None = None) -> Trace:
        """Draw images from the prior (eq. 13-15): z_t ~ N(0, I), decode, write."""
        device = next(self.parameters()).device
        c = torch.zeros(n, self.channels, self.size, self.size, device=device)
        h_dec = self._state(n, device)
        canvases, writes = [], []
        for _ in range(self.glimpses):
            z = torch.randn(n, self.z_dim, generator=generator, device=device)
            h_dec = self.decoder(z, h_dec)
            w, g_write = self._write(h_dec[0])
            c = c + w
            canvases.append(c)
            writes.append(g_write)
        return Trace(canvases, torch.zeros(n, self.glimpses, device=device), [None] * self.glimpses, writes)


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor, likelihood: str) -> torch.Tensor:
    """-log D(x | c_T) per image: Bernoulli (eq. 9) or Gaussian with unit variance (the seed's L2)."""
    if likelihood == "bernoulli":
        return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    return 0.5 * ((torch.sigmoid(logits) - x) ** 2).flatten(1).sum(1)
