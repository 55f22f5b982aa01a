"""Autoencoder and VAE training (Kingma & Welling, 2014), yielding after every gradient step.

Loss per image: reconstruction (-log p(x|z), Bernoulli pixels) + weight * KL(q(z|x) || N(0, I)),
where the weight is beta (1 gives the negative ELBO), optionally ramped up from 0 (KL annealing).
"""

from __future__ import annotations

import functools
from collections.abc import Generator

import cv2
import numpy as np
import torch

from workbench.core.driver import RunContext
from workbench.core.seeding import rng_state, seed_everything, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data import load_images
from workbench.data.preview import class_counts, grid, labelled_grid
from workbench.data.scorer import DigitScorer
from workbench_plugins.vae.config import Config
from workbench_plugins.vae.latent import decode, gaussian_grid, interpolation, manifold, traversal
from workbench_plugins.vae.model import Autoencoder, kl_divergence, kl_weight, reconstruction_loss

GRID = 15  # manifold cells per side
N_SCORED = 256  # prior samples judged by the digits scorer


def as_image(batch: torch.Tensor, cols: int | None = None) -> np.ndarray:
    """A batch tiled with NaN gaps, which the views draw in the theme's background."""
    return grid(batch.detach().cpu().numpy(), cols=cols)


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # TRY NOT TO MODIFY: seeding
    seed_everything(cfg.seed, cfg.threads)
    device = torch.device(ctx.device)

    # data, model, optimiser
    images, labels = load_images(cfg.data, size=cfg.size, n=cfg.n or None, seed=cfg.seed, channels=cfg.channels)
    x_all = torch.from_numpy(images).to(device)
    n_images = len(x_all)
    model = Autoencoder(images.shape[1:], cfg.latent, cfg.hidden, cfg.arch, cfg.model == "vae").to(device)
    probe = torch.randperm(n_images)[:2000].to(device)  # images shown in the latent scatter
    shown = probe[:16]  # inputs shown beside their reconstructions
    prior_z = torch.randn(N_SCORED, cfg.latent).to(device)
    batches = (n_images + cfg.batch_size - 1) // cfg.batch_size
    total = cfg.epochs * batches
    # where the run stands: the epoch, its order of the images, the next batch and the sums so far
    step, epoch, order, batch, epoch_recon, epoch_kl = 0, 0, None, 0, 0.0, 0.0
    if ctx.resume is not None:  # any step can be continued exactly, also in the middle of an epoch
        model.load_state_dict(ctx.resume["model"])
        step, epoch, batch = int(ctx.resume["step"]), int(ctx.resume["epoch"]), int(ctx.resume["batch"])
        order, epoch_recon, epoch_kl = (
            ctx.resume["order"],
            float(ctx.resume["epoch_recon"]),
            float(ctx.resume["epoch_kl"]),
        )

    @functools.cache
    def optimizer() -> torch.optim.Optimizer:
        """Adam, built when first needed (the first update or checkpoint), after the first curve
        point: torch's first optimiser imports torch._dynamo, which takes as long as torch itself."""
        adam = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        if ctx.resume is not None:
            adam.load_state_dict(ctx.resume["optimizer"])
        return adam

    def losses(x: torch.Tensor, progress: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
        """The (beta-weighted) negative ELBO of a batch, its two terms and the KL weight."""
        logits, mu, logvar = model(x)
        recon = reconstruction_loss(logits, x).mean()
        kl = kl_divergence(mu, logvar).mean() if model.variational else torch.zeros((), device=device)
        weight = kl_weight(cfg.beta, cfg.kl_anneal, progress)
        return recon + weight * kl, recon, kl, weight

    def initial_losses() -> dict[str, float]:
        """The untrained model's losses on the probe images: the curves' point at step 0. Its
        noise comes from a forked generator, so training draws what it would without it."""
        with torch.no_grad(), torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            loss, recon, kl, weight = losses(x_all[probe], 0.0)
        return {"loss": loss.item(), "recon": recon.item(), "kl": kl.item(), "beta": weight}

    ctx.keep_state(
        lambda: {
            "model": model.state_dict(),
            "optimizer": optimizer().state_dict(),
            "step": step,
            "epoch": epoch,
            "order": order,
            "batch": batch,
            "epoch_recon": epoch_recon,
            "epoch_kl": epoch_kl,
            "rng": rng_state(),
        }
    )

    def views(score: bool = True) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """Everything drawn from the model: scatter, manifold, traversals, interpolation, samples,
        and the samples' scores (the scorer trains, once per process, at the first scored call)."""
        model.eval()
        with torch.no_grad():
            mu = model.encode(x_all[probe])[0]
            recon = decode(model, model.encode(x_all[shown])[0])
            pairs = torch.stack([x_all[shown], recon], dim=1).flatten(0, 1)
            samples = decode(model, prior_z)
            if model.variational:
                xs = ys = gaussian_grid(GRID).to(device)
            else:  # a plain autoencoder has no prior: span where its codes lie
                lo, hi = torch.quantile(mu, 0.01, dim=0), torch.quantile(mu, 0.99, dim=0)
                xs = torch.linspace(lo[0].item(), hi[0].item(), GRID, device=device)
                ys = torch.linspace(lo[-1].item(), hi[-1].item(), GRID, device=device)
            a, b = x_all[pair[0] % n_images], x_all[pair[1] % n_images]
            za, zb = model.encode(torch.stack([a, b]))[0]
            line = torch.cat([a[None], interpolation(model, za, zb, 8), b[None]])
            dims = min(cfg.latent, 10)
            walk = traversal(model, za, torch.linspace(-3.0, 3.0, 11, device=device), dims)
        model.train()
        plane = mu[:, :2].cpu().numpy() if cfg.latent > 1 else np.c_[mu[:, 0].cpu().numpy(), np.zeros(len(mu))]
        arrays = {
            "reconstructions": as_image(pairs, cols=8),
            "latent": plane.astype(np.float32),
            "latent_labels": labels[probe.cpu().numpy()],
            "manifold": as_image(manifold(model, xs, ys), cols=GRID),
            "traversal": as_image(walk, cols=11),
            "interpolation": as_image(line, cols=len(line)),
            "samples": as_image(samples[:64], cols=8),
        }
        scores = DigitScorer.trained(size=28, seed=0).score(samples.cpu().numpy()) if score else {}
        return scores, arrays

    def decoded_point() -> np.ndarray:
        """The chosen latent point (x, y; other dimensions 0), decoded and enlarged four times."""
        z = torch.zeros(1, cfg.latent, device=device)
        z[0, : min(2, cfg.latent)] = torch.tensor(point[: cfg.latent], device=device)
        img = as_image(decode(model, z))
        return cv2.resize(img, (img.shape[1] * 4, img.shape[0] * 4), interpolation=cv2.INTER_LINEAR)

    shown_arrays: dict[str, np.ndarray] = {}
    point, pair = [0.0, 0.0], (0, 1)  # the decoded latent point; the images interpolated between
    redraw: set[str] = set()  # "point": the decoded point; "views": interpolation and traversal

    def take() -> None:
        """After a yield: the live config, and the actions asked for."""
        nonlocal cfg, point, pair
        cfg = ctx.config
        for group in optimizer().param_groups:
            group["lr"] = cfg.lr
        for event in ctx.events():
            if event.name == "decode":
                point = [event.payload["x"], event.payload["y"]]
                redraw.add("point")
            elif event.name == "interpolate":
                pair = (event.payload["a"], event.payload["b"])
                redraw.add("views")

    try:
        scores, shown_arrays = views(score=False)  # show the data and the untrained model at once
        if ctx.resume is None:
            scores.update(initial_losses())
        arrays = dict(
            shown_arrays,
            data=labelled_grid(images[:64], labels[:64]),
            class_counts=class_counts(labels),
            decoded=decoded_point(),
        )
        yield Snapshot(step, scalars=scores, arrays=arrays, progress=step / total)
        take()
        if ctx.resume is not None:  # the generators as they were at the checkpoint (the views above drew nothing new)
            set_rng_state(ctx.resume["rng"])
        while True:
            if order is not None and batch >= batches:  # the epoch is done
                epoch, order = epoch + 1, None
            if epoch >= cfg.epochs:
                break
            if order is None:  # a new epoch, in a new order
                order, batch, epoch_recon, epoch_kl = torch.randperm(n_images), 0, 0.0, 0.0
            for i, idx in enumerate(order.split(cfg.batch_size)[batch:], start=batch):
                # ALGO LOGIC: one gradient step on the (beta-weighted) negative ELBO
                loss, recon, kl, weight = losses(x_all[idx.to(device)], epoch + i / batches)
                optimizer().zero_grad()
                loss.backward()
                optimizer().step()
                step, batch = step + 1, i + 1
                epoch_recon += recon.item() * len(idx) / n_images
                epoch_kl += kl.item() * len(idx) / n_images

                # SNAPSHOT: per-step losses; image views every view_every steps; ELBO terms per epoch
                scalars = {"loss": loss.item(), "recon": recon.item(), "kl": kl.item(), "beta": weight}
                arrays = {}
                last = i == batches - 1
                if step % cfg.view_every == 0 or (last and epoch == cfg.epochs - 1) or "views" in redraw:
                    scores, shown_arrays = views()
                    scalars.update(scores)
                    arrays = dict(shown_arrays)
                if arrays or redraw:
                    arrays["decoded"] = decoded_point()
                redraw.clear()
                if last:
                    scalars.update(epoch_recon=epoch_recon, epoch_kl=epoch_kl, elbo=-(epoch_recon + epoch_kl))
                yield Snapshot(step, scalars=scalars, arrays=arrays, progress=step / total)
                take()
    finally:
        for key in ("latent", "latent_labels", "manifold"):
            if key in shown_arrays:
                ctx.save_array(key, shown_arrays[key])
