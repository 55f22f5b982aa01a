"""DDPM (Ho et al. 2020) on an image set: ε-prediction with a small UNet, an EMA of the weights
for sampling, DDPM or DDIM samplers, optional classifier-free guidance; one yield per step."""

from __future__ import annotations

import copy
from collections.abc import Generator

import numpy as np
import torch
import torch.nn.functional as F

from workbench.core.driver import RunContext
from workbench.core.recorder import AnimationWriter
from workbench.core.seeding import rng_state, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data import load_images
from workbench_plugins.ddpm import pictures
from workbench_plugins.ddpm.config import Config, strip_timesteps
from workbench_plugins.ddpm.diffusion import Diffusion, betas, sample
from workbench_plugins.ddpm.model import UNet, guided_eps

BUCKETS = 10  # bars of the loss-per-t view
STRIP_ROWS = 4
GIF_FRAMES = 40
DIGIT_SETS = ("digits", "glyphs")  # the sets the digits classifier can judge


def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters()):
            e.lerp_(p, 1.0 - decay)


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # seeding and data: images scaled to [-1, 1]
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = ctx.device
    images, labels = load_images(cfg.data, size=cfg.size, seed=cfg.seed, channels=cfg.channels)
    data = torch.from_numpy(images * 2.0 - 1.0).to(device)
    classes = int(labels.max()) + 1 if cfg.conditional else 0
    if cfg.conditional and labels.min() < 0:
        raise ValueError(f"conditional=True needs class labels, but data={cfg.data!r} has images without one")
    targets = torch.from_numpy(labels).to(device)
    diffusion = Diffusion(betas(cfg.schedule, cfg.timesteps, cfg.beta_start, cfg.beta_end)).to(device)
    log_snr = np.log10(diffusion.snr(torch.arange(cfg.timesteps, device=device)).cpu().numpy())

    model = UNet(cfg.channels, cfg.size, cfg.width, cfg.attn_res, classes, cfg.dropout).to(device)
    ema = copy.deepcopy(model).requires_grad_(False).eval()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)

    # fixed noise and labels for the sample grid, so refreshes show the same samples improving
    gen = torch.Generator(device).manual_seed(cfg.seed + 1)
    fixed_noise = torch.randn(cfg.samples, cfg.channels, cfg.size, cfg.size, generator=gen, device=device)
    fixed_labels = torch.arange(cfg.samples, device=device) % classes if classes else None
    forward_noise = torch.randn(cfg.channels, cfg.size, cfg.size, generator=gen, device=device)
    scorer = None
    if cfg.data in DIGIT_SETS:
        from workbench.data.scorer import DigitScorer

        scorer = DigitScorer.trained(size=28, seed=0)

    start = 0
    if ctx.resume is not None:
        model.load_state_dict(ctx.resume["model"])
        ema.load_state_dict(ctx.resume["ema"])
        optimizer.load_state_dict(ctx.resume["optim"])
        start = int(ctx.resume["step"])
    done = start
    bucket_loss = np.zeros(BUCKETS)
    bucket_seen = np.zeros(BUCKETS)
    if ctx.resume is not None:  # the batches, times and noise go on from the checkpoint's generators
        set_rng_state(ctx.resume["rng"])
        bucket_loss[:], bucket_seen[:] = np.asarray(ctx.resume["bucket_loss"]), np.asarray(ctx.resume["bucket_seen"])
    ctx.keep_state(
        lambda: {
            "model": model.state_dict(),
            "ema": ema.state_dict(),
            "optim": optimizer.state_dict(),
            "step": done,
            "rng": rng_state(),
            "bucket_loss": bucket_loss,
            "bucket_seen": bucket_seen,
        }
    )
    playback: list[np.ndarray] = []
    shown_forward = None
    gif_path = ctx.path("denoise.gif")

    def refresh() -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """Sample the fixed noise with the EMA model: grid, reverse strip, score and GIF frames."""
        strip_ts = strip_timesteps(cfg.strip, cfg.timesteps)
        seen: dict[int, np.ndarray] = {}
        frames: list[np.ndarray] = []
        every = max(1, (cfg.timesteps if cfg.sampler == "ddpm" else cfg.sample_steps) // GIF_FRAMES)
        n_gif = min(16, cfg.samples)

        def on_step(t: int, x: torch.Tensor) -> None:
            seen[t] = x[:STRIP_ROWS].cpu().numpy()
            if (len(seen) - 1) % every == 0:
                frames.append(pictures.grid(x[:n_gif].cpu().numpy(), cols=4, scale=3))

        with torch.no_grad():
            out = sample(
                lambda x, t: guided_eps(ema, x, t, fixed_labels, cfg.guidance),
                diffusion,
                fixed_noise,
                cfg.sampler,
                cfg.sample_steps,
                cfg.eta,
                torch.Generator(device).manual_seed(cfg.seed + 2),
                should_stop=ctx.should_stop,
                on_step=on_step,
            )
        if ctx.should_stop():  # stopped mid-sampling: nothing finished to show or score
            return {}, {}
        result = out.cpu().numpy()
        frames += [pictures.grid(result[:n_gif], cols=4, scale=3)] * 10  # hold the result
        visited = np.array(sorted(seen))
        chosen = [int(visited[np.abs(visited - t).argmin()]) for t in strip_ts]
        rows = [[seen[t][r] for t in chosen] for r in range(min(STRIP_ROWS, cfg.samples))]
        arrays = {
            "samples": pictures.grid(result, cols=classes or None),
            "reverse": pictures.strip(rows),
            "reverse_t": np.asarray(chosen, dtype=np.int64),
        }
        scores = scorer.score((result + 1.0) / 2.0) if scorer is not None else {}
        playback[:] = frames
        if gif_path is not None:
            writer = AnimationWriter(gif_path, fps=12)
            for frame in frames:
                writer.add(frame)
            writer.close()
        return scores, arrays

    for step in range(start, cfg.steps):
        # ALGO LOGIC: sample x_0, t ~ U{0..T-1}, ε ~ N(0, I); regress ε from x_t (Algorithm 1)
        idx = torch.randint(len(data), (cfg.batch_size,), device=device)
        x0 = data[idx]
        t = torch.randint(cfg.timesteps, (cfg.batch_size,), device=device)
        noise = torch.randn_like(x0)
        xt = diffusion.q_sample(x0, t, noise)
        y = None
        if classes:
            drop = torch.rand(cfg.batch_size, device=device) < cfg.p_uncond
            y = torch.where(drop, torch.full_like(targets[idx], classes), targets[idx])
        per_image = F.mse_loss(model(xt, t, y), noise, reduction="none").mean(dim=(1, 2, 3))
        loss = per_image.mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        done = step + 1
        ema_update(ema, model, min(cfg.ema_decay, (1 + step) / (10 + step)))  # warm-up: early EMA follows the model

        # the loss per t bucket, as a running mean
        b = (t * BUCKETS // cfg.timesteps).cpu().numpy()
        for k, v in zip(b, per_image.detach().cpu().numpy()):
            bucket_seen[k] += 1
            bucket_loss[k] += (v - bucket_loss[k]) / min(bucket_seen[k], 200)

        # SNAPSHOT: curves every step, pictures when they change
        scalars = {"loss": loss.item()}
        arrays = {"loss_by_t": bucket_loss.astype(np.float32).copy()}
        if shown_forward != (cfg.forward_t, cfg.forward_image):
            shown_forward = (cfg.forward_t, cfg.forward_image)
            x0_show = data[cfg.forward_image % len(data)]
            tt = torch.tensor([cfg.forward_t], device=device)
            xt_show = diffusion.q_sample(x0_show[None], tt, forward_noise[None])[0]
            arrays["forward"] = pictures.forward_pair(x0_show.cpu().numpy(), xt_show.cpu().numpy())
            arrays["forward_t"] = np.array([0, cfg.forward_t], np.int64)
            arrays["snr"], arrays["snr_labels"] = pictures.snr_points(log_snr, cfg.forward_t)
        if (step + 1) % cfg.sample_every == 0 or step + 1 == cfg.steps:
            scores, grids = refresh()
            scalars.update(scores)
            arrays.update(grids)
        if playback:
            arrays["denoise"] = playback.pop(0)
        yield Snapshot(step + 1, scalars=scalars, arrays=arrays, progress=(step + 1) / cfg.steps)
        if ctx.config is not cfg:
            cfg = ctx.config
            for group in optimizer.param_groups:
                group["lr"] = cfg.lr
    while playback:  # let the last denoising play out (and reach a headless recording)
        yield Snapshot(cfg.steps, arrays={"denoise": playback.pop(0)}, progress=1.0)
