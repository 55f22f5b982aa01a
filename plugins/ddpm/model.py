"""The noise-prediction UNet of DDPM, scaled down by ``width``: residual blocks that take a
sinusoidal time embedding, self-attention at one resolution, one skip connection per level, and
an optional class embedding whose extra "no class" index lets classifier-free guidance drop labels.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MULTS = (1, 2, 2)  # channel multipliers per resolution: size, size/2, size/4


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Transformer sinusoids of the timestep: sin and cos at frequencies 1 .. 1/10000 (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


def norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels), channels)


class ResBlock(nn.Module):
    """GroupNorm, SiLU, 3x3 conv, plus a projection of the embedding, then the same again with
    dropout; a 1x1 conv matches channels on the skip path."""

    def __init__(self, cin: int, cout: int, emb_dim: int, dropout: float) -> None:
        super().__init__()
        self.norm1, self.conv1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb_dim, cout)
        self.norm2, self.conv2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(F.silu(emb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """Multi-head self-attention over the H*W positions, added back to its input."""

    def __init__(self, channels: int, heads: int = 1) -> None:
        super().__init__()
        self.norm, self.heads = norm(channels), heads
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).transpose(-1, -2).unbind(1)
        a = F.scaled_dot_product_attention(q, k, v)  # (b, heads, hw, c/heads)
        return x + self.out(a.transpose(-1, -2).reshape(b, c, h, w))


class Level(nn.Module):
    """One resolution of the UNet: a residual block, then attention when this is the chosen size."""

    def __init__(self, cin: int, cout: int, emb_dim: int, dropout: float, attention: bool) -> None:
        super().__init__()
        self.res = ResBlock(cin, cout, emb_dim, dropout)
        self.attn = SelfAttention(cout, heads=max(1, cout // 32)) if attention else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        return self.attn(self.res(x, emb))


class UNet(nn.Module):
    """ε_θ(x_t, t[, y]) for (B, C, size, size) images; ``size`` must be a multiple of 4.

    Args:
        channels: image channels.
        size: image side, to place attention.
        width: channels at full resolution (a multiple of 8); deeper levels use ``MULTS``.
        attn_res: the side at which self-attention runs (0: nowhere).
        classes: number of classes for a conditional model (0: unconditional); index
            ``classes`` means "no label" for classifier-free guidance.
        dropout: dropout inside residual blocks.
    """

    def __init__(
        self,
        channels: int = 1,
        size: int = 16,
        width: int = 32,
        attn_res: int = 8,
        classes: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.width, self.classes = width, classes
        emb_dim = 4 * width
        self.time_mlp = nn.Sequential(nn.Linear(width, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.label_emb = nn.Embedding(classes + 1, emb_dim) if classes else None
        chans = [width * m for m in MULTS]
        sides = [size // 2**i for i in range(len(MULTS))]
        self.inp = nn.Conv2d(channels, width, 3, padding=1)
        self.down = nn.ModuleList()
        cin = width
        for c, side in zip(chans, sides):
            self.down.append(Level(cin, c, emb_dim, dropout, side == attn_res))
            cin = c
        self.mid1 = ResBlock(cin, cin, emb_dim, dropout)
        self.mid_attn = SelfAttention(cin, heads=max(1, cin // 32))
        self.mid2 = ResBlock(cin, cin, emb_dim, dropout)
        self.up = nn.ModuleList()
        for c, side in reversed(list(zip(chans, sides))):
            self.up.append(Level(cin + c, c, emb_dim, dropout, side == attn_res))
            cin = c
        self.out = nn.Sequential(norm(cin), nn.SiLU(), nn.Conv2d(cin, channels, 3, padding=1))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        emb = self.time_mlp(timestep_embedding(t, self.width))
        if self.label_emb is not None:
            emb = emb + self.label_emb(y if y is not None else torch.full_like(t, self.classes))
        h = self.inp(x)
        skips = []
        for i, level in enumerate(self.down):
            h = level(h, emb)
            skips.append(h)
            if i < len(self.down) - 1:
                h = F.avg_pool2d(h, 2)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for i, level in enumerate(self.up):
            h = level(torch.cat([h, skips.pop()], dim=1), emb)
            if i < len(self.up) - 1:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
        return self.out(h)


def resolutions(size: int) -> list[int]:
    """The sides the UNet works at, where self-attention may go."""
    return [size // 2**i for i in range(len(MULTS))]


def guided_eps(model: UNet, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor | None, scale: float) -> torch.Tensor:
    """Classifier-free guidance (Ho & Salimans 2021): ε_u + s (ε_c - ε_u); s = 1 is the plain
    conditional model, s = 0 the unconditional one. Unconditional models ignore ``y``."""
    if model.label_emb is None or y is None:
        return model(x, t)
    if scale == 1.0:
        return model(x, t, y)
    both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([y, torch.full_like(y, model.classes)]))
    cond, uncond = both.chunk(2)
    return uncond + scale * (cond - uncond)
