"""DCGAN training (Goodfellow et al., 2014; Radford et al., 2016), yielding after every generator update.

Each step makes ``d_steps`` discriminator updates on fresh real and generated batches, then one
generator update with the non-saturating loss. In toy mode the same loop trains two small MLPs
on a ring of Gaussians and the views draw the plane instead of images.
"""

from __future__ import annotations

from collections.abc import Generator

import cv2
import numpy as np
import torch

from workbench.core.driver import RunContext
from workbench.core.recorder import AnimationWriter, to_rgb8
from workbench.core.seeding import rng_state, seed_everything, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data import load_images
from workbench.data.preview import class_counts, grid, labelled_grid
from workbench.data.scorer import DigitScorer
from workbench_plugins.gan import toy
from workbench_plugins.gan.config import Config
from workbench_plugins.gan.model import (
    ConvDiscriminator,
    ConvGenerator,
    ToyDiscriminator,
    discriminator_loss,
    generator_loss,
    slerp,
    toy_generator,
)

N_FIXED = 256  # fixed noise: the first 64 are shown, all are scored
TOY_STEPS_PER_SNAPSHOT = 10  # toy updates take about a millisecond: keep snapshots under ~100/s


def gif_frame(image: np.ndarray, step: int) -> np.ndarray:
    """The sample grid enlarged twice with the step written in a corner."""
    frame = to_rgb8(image, (0, 255) if image.dtype == np.uint8 else None)
    frame = cv2.resize(frame, (frame.shape[1] * 2, frame.shape[0] * 2), interpolation=cv2.INTER_NEAREST)
    cv2.putText(frame, f"step {step}", (4, 14), cv2.FONT_HERSHEY_PLAIN, 1.0, (255, 255, 0), 1, cv2.LINE_AA)
    return frame


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # TRY NOT TO MODIFY: seeding
    seed_everything(cfg.seed, cfg.threads)
    device = torch.device(ctx.device)
    is_toy = cfg.mode == "toy"

    # data and the two networks
    if is_toy:
        real_points, real_modes = toy.sample(cfg.modes, 512)
        netG = toy_generator(cfg.latent, 4 * cfg.width).to(device)
        netD = ToyDiscriminator(4 * cfg.width).to(device)

        def real_batch(n: int) -> torch.Tensor:
            return toy.sample(cfg.modes, n)[0].to(device)
    else:
        images, labels = load_images(cfg.data, size=cfg.size, n=cfg.n or None, seed=cfg.seed, channels=cfg.channels)
        x_all = torch.from_numpy(images * 2.0 - 1.0).to(device)  # tanh range
        netG = ConvGenerator(cfg.latent, cfg.channels, cfg.size, cfg.width).to(device)
        netD = ConvDiscriminator(cfg.channels, cfg.size, cfg.width).to(device)

        def real_batch(n: int) -> torch.Tensor:
            return x_all[torch.randint(0, len(x_all), (n,), device=device)]

    opt_g = torch.optim.Adam(netG.parameters(), lr=cfg.g_lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(netD.parameters(), lr=cfg.d_lr, betas=(0.5, 0.999))
    fixed_z = torch.randn(N_FIXED, cfg.latent).to(device)
    directions = torch.linalg.qr(torch.randn(cfg.latent, min(3, cfg.latent)))[0].T.to(device)  # orthonormal rows
    walk, pair = [0.0, 0.0, 0.0], (0, 1)  # set by the walk and interpolate actions
    step = 0
    if ctx.resume is not None:
        for part, key in ((netG, "generator"), (netD, "discriminator"), (opt_g, "opt_g"), (opt_d, "opt_d")):
            part.load_state_dict(ctx.resume[key])
        step = int(ctx.resume["step"])
    ctx.keep_state(
        lambda: {
            "generator": netG.state_dict(),
            "discriminator": netD.state_dict(),
            "opt_g": opt_g.state_dict(),
            "opt_d": opt_d.state_dict(),
            "step": step,
            "rng": rng_state(),
        }
    )  # every batch is drawn from the global generators
    gif_path = ctx.path("samples.gif")
    gif = AnimationWriter(gif_path, fps=10) if gif_path is not None else None

    @torch.no_grad()
    def generate(z: torch.Tensor) -> np.ndarray:
        """Generated samples in eval mode (batch norm uses running statistics, so a sample does not
        depend on the others in its batch): images in [0, 1] or toy points."""
        netG.eval()
        out = netG(z)
        netG.train()
        return out.cpu().numpy() if is_toy else (out.cpu().numpy() + 1.0) / 2.0

    def walked() -> dict[str, np.ndarray]:
        """Views driven by actions: the samples moved along three latent directions, the traversal
        of each direction from sample a, and the slerp from sample a to sample b."""
        shift = torch.tensor(walk[: len(directions)], device=device) @ directions
        base = fixed_z[pair[0]]
        values = torch.linspace(-4.0, 4.0, 9, device=device)[:, None]
        lines = [generate(base + values * d) for d in directions]
        between = generate(slerp(base, fixed_z[pair[1]], 10))
        if is_toy:
            surface, real = toy.decision_surface(netD, device), real_points.numpy()
            return {
                "walk": toy.plot(surface, real, generate(fixed_z + shift)),
                "traversal": toy.plot(surface, real, paths=lines),
                "interpolation": toy.plot(surface, real, paths=[between]),
            }
        return {
            "walk": grid(generate(fixed_z[:16] + shift), cols=8),
            "traversal": grid(np.concatenate(lines), cols=9),
            "interpolation": grid(between, cols=10),
        }

    def views(score: bool = True) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """Samples from the fixed noise (plus a GIF frame), the walk views, and the samples' scores
        (the digits scorer trains, once per process, at the first scored call)."""
        fake = generate(fixed_z)
        if is_toy:
            scores = toy.score(fake, cfg.modes)
            samples = toy.plot(toy.decision_surface(netD, device), real_points.numpy(), fake)
        else:
            scores = DigitScorer.trained(size=28, seed=0).score(fake) if score else {}
            samples = grid(fake[:64], cols=8)
        if gif is not None:
            gif.add(gif_frame(samples, step))
        return scores, dict(walked(), samples=samples)

    try:
        scores, arrays = views(score=False)  # show the data and the untrained generator at once
        if is_toy:
            arrays.update(
                data=toy.plot(np.zeros((toy.PIXELS, toy.PIXELS, 3), np.uint8), real_points.numpy()),
                class_counts=class_counts(real_modes.numpy()),
            )
        else:
            arrays.update(data=labelled_grid(images[:64], labels[:64]), class_counts=class_counts(labels))
        resumed = ctx.resume is not None  # then this step's row is in metrics.csv already
        yield Snapshot(step, scalars={} if resumed else scores, arrays=arrays, progress=step / cfg.steps)
        if resumed:  # the generators as they were at the checkpoint: the next batches follow
            set_rng_state(ctx.resume["rng"])
        redraw = False
        while True:
            # live changes (learning rates, D:G ratio, smoothing) and the walk actions
            cfg = ctx.config
            for opt, lr in ((opt_g, cfg.g_lr), (opt_d, cfg.d_lr)):
                for group in opt.param_groups:
                    group["lr"] = lr
            for event in ctx.events():
                if event.name == "walk":
                    walk = [event.payload[f"d{i}"] for i in (1, 2, 3)]
                elif event.name == "interpolate":
                    pair = (event.payload["a"], event.payload["b"])
                redraw = True
            if step >= cfg.steps:
                break
            # ALGO LOGIC: d_steps discriminator updates: push D(x) up and D(G(z)) down
            for _ in range(cfg.d_steps):
                real = real_batch(cfg.batch_size)
                fake = netG(torch.randn(cfg.batch_size, cfg.latent, device=device))
                real_logits, fake_logits = netD(real), netD(fake.detach())
                d_loss = discriminator_loss(real_logits, fake_logits, cfg.label_smoothing)
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
            # ALGO LOGIC: one generator update on the non-saturating loss -log D(G(z))
            g_loss = generator_loss(netD(fake))
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            step += 1

            # SNAPSHOT: losses, D(x) and D(G(z)) every step; samples, GIF frame and scores every view_every
            if is_toy and step % TOY_STEPS_PER_SNAPSHOT and step % cfg.view_every and step < cfg.steps and not redraw:
                continue
            scalars = {
                "d_loss": d_loss.item(),
                "g_loss": g_loss.item(),
                "d_real": torch.sigmoid(real_logits).mean().item(),
                "d_fake": torch.sigmoid(fake_logits).mean().item(),
            }
            arrays = {}
            if step % cfg.view_every == 0 or step == cfg.steps:
                scores, arrays = views()
                scalars.update(scores)
            elif redraw:
                arrays = walked()
            redraw = False
            yield Snapshot(step, scalars=scalars, arrays=arrays, progress=step / cfg.steps)
    finally:
        if gif is not None:
            gif.close()
        ctx.save_array("samples", generate(fixed_z[:64]))
