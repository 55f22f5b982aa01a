"""DRAW (Gregor et al. 2015) trained on an image set by the variational bound L^x + L^z,
one yield per step; strips and a writing animation show where the attention goes."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import torch

from workbench.core.driver import RunContext
from workbench.core.recorder import AnimationWriter
from workbench.core.seeding import rng_state, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data import load_images
from workbench_plugins.draw import pictures
from workbench_plugins.draw.config import Config
from workbench_plugins.draw.model import DRAW, Glimpse, reconstruction_loss

STRIP_ROWS = 4
ANIMATED = 16  # samples in the writing animation


def boxes(glimpses: list[Glimpse | None], k: int) -> np.ndarray | None:
    """(T, k, 4) of (gx, gy, δ, σ) for the first ``k`` images, or None without attention."""
    if glimpses[0] is None:
        return None
    return np.stack(
        [torch.stack([g.gx[:k], g.gy[:k], g.delta[:k], g.var[:k].sqrt()], 1).cpu().numpy() for g in glimpses]
    )


def probabilities(canvases: list[torch.Tensor]) -> np.ndarray:
    """(T, B, C, H, W) canvases as images in [0, 1]."""
    return torch.sigmoid(torch.stack(canvases)).cpu().numpy()


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # seeding and data
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = ctx.device
    images, _ = load_images(cfg.data, size=cfg.size, seed=cfg.seed, channels=cfg.channels)
    if cfg.binarize:
        images = (images > 0.5).astype(np.float32)
    data = torch.from_numpy(images).to(device)
    shown = data[torch.linspace(0, len(data) - 1, STRIP_ROWS).long()]

    model = DRAW(
        cfg.channels, cfg.size, cfg.glimpses, cfg.read_n, cfg.write_n, cfg.hidden, cfg.z_dim, cfg.attention
    ).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.5, 0.999))  # the paper's Adam β1
    start = 0
    if ctx.resume is not None:
        model.load_state_dict(ctx.resume["model"])
        optimizer.load_state_dict(ctx.resume["optim"])
        start = int(ctx.resume["step"])
    done = start
    kl_per_t = np.zeros(cfg.glimpses)
    if ctx.resume is not None:  # the batches and the sampled codes go on from the checkpoint's generators
        set_rng_state(ctx.resume["rng"])
        kl_per_t[:] = np.asarray(ctx.resume["kl_per_t"])
    ctx.keep_state(
        lambda: {
            "model": model.state_dict(),
            "optim": optimizer.state_dict(),
            "step": done,
            "rng": rng_state(),
            "kl_per_t": kl_per_t,
        }
    )
    playback: list[np.ndarray] = []
    gif_path = ctx.path("writing.gif")

    def views() -> dict[str, np.ndarray]:
        """Reconstruct the shown images and draw samples from the prior (the same z every time)."""
        model.eval()
        with torch.no_grad():
            rec = model(shown)
            gen = model.generate(ANIMATED, torch.Generator(device).manual_seed(cfg.seed + 1))
        model.train()
        canvases = probabilities(gen.canvases)
        writes = boxes(gen.writes, ANIMATED)
        playback[:] = pictures.writing_frames(canvases, writes, cfg.write_n)
        if gif_path is not None:
            writer = AnimationWriter(gif_path, fps=4)
            for f in playback:
                writer.add(f)
            writer.close()
        return {
            "reconstruction": pictures.strip(
                probabilities(rec.canvases),
                boxes(rec.reads, STRIP_ROWS),
                boxes(rec.writes, STRIP_ROWS),
                cfg.read_n,
                cfg.write_n,
                first=shown.cpu().numpy(),
            ),
            "generation": pictures.strip(
                canvases[:, :STRIP_ROWS],
                None,
                None if writes is None else writes[:, :STRIP_ROWS],
                cfg.read_n,
                cfg.write_n,
            ),
        }

    for step in range(start, cfg.steps):
        # ALGO LOGIC: one pass of T glimpses, loss = -log D(x | c_T) + Σ_t KL(Q(z_t | h_enc_t) || N(0, I))
        x = data[torch.randint(len(data), (cfg.batch_size,), device=device)]
        trace = model(x)
        recon = reconstruction_loss(trace.canvases[-1], x, cfg.likelihood).mean()
        kl_t = trace.kl.mean(0)
        loss = recon + kl_t.sum()
        optimizer.zero_grad()
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        done = step + 1
        kl_per_t += (kl_t.detach().cpu().numpy() - kl_per_t) / min(done, 50)  # running mean

        # SNAPSHOT: curves every step, strips and the animation every view_every steps
        scalars = {"loss": loss.item(), "recon_loss": recon.item(), "kl": kl_t.sum().item()}
        arrays = {"kl_per_t": kl_per_t.astype(np.float32)}
        if done % cfg.view_every == 0 or done == cfg.steps:
            arrays.update(views())
        if playback:
            arrays["writing"] = playback.pop(0)
        yield Snapshot(done, scalars=scalars, arrays=arrays, progress=done / cfg.steps)
        if ctx.config is not cfg:
            cfg = ctx.config
            for group in optimizer.param_groups:
                group["lr"] = cfg.lr
    while playback:  # let the last animation play out (and reach a headless recording)
        yield Snapshot(cfg.steps, arrays={"writing": playback.pop(0)}, progress=1.0)
