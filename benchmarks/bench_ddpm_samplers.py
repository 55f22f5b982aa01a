"""Full ancestral DDPM (T steps) against DDIM with few steps, on the same trained UNet and noise:
wall-clock per batch, images/s, the speed-up, and the digits classifier's sample_score of each.

Train a model first (the checkpoint holds the EMA weights and the config), then:

    .venv/bin/workbench run ddpm --out /tmp/ddpm_run --set steps=3000
    .venv/bin/python benchmarks/bench_ddpm_samplers.py --checkpoint /tmp/ddpm_run --samples 64 --iterations 1

Without ``--checkpoint`` an untrained UNet of the default size is timed; its scores mean nothing.
"""

from __future__ import annotations

import argparse
import time

import torch

from workbench.core.checkpoint import load_checkpoint
from workbench.core.config import from_dict
from workbench.data.scorer import DigitScorer
from workbench_plugins.ddpm.config import Config
from workbench_plugins.ddpm.diffusion import Diffusion, betas, sample
from workbench_plugins.ddpm.model import UNet, guided_eps


def load(checkpoint: str | None) -> tuple[Config, UNet]:
    if checkpoint is None:
        cfg = Config()
        return cfg, UNet(cfg.channels, cfg.size, cfg.width, cfg.attn_res).eval()
    payload = load_checkpoint(checkpoint, "ddpm")
    cfg = from_dict(Config, payload["config"])
    state = payload["state"]["ema"]
    classes = state["label_emb.weight"].shape[0] - 1 if "label_emb.weight" in state else 0
    model = UNet(cfg.channels, cfg.size, cfg.width, cfg.attn_res, classes, cfg.dropout)
    model.load_state_dict(state)
    return cfg, model.eval()


def run(
    cfg: Config, model: UNet, sampler: str, steps: int, eta: float, samples: int, seed: int
) -> tuple[float, torch.Tensor]:
    diffusion = Diffusion(betas(cfg.schedule, cfg.timesteps, cfg.beta_start, cfg.beta_end))
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randn(samples, cfg.channels, cfg.size, cfg.size, generator=gen)
    labels = torch.arange(samples) % model.classes if model.classes else None
    start = time.perf_counter()
    with torch.no_grad():
        out = sample(
            lambda x, t: guided_eps(model, x, t, labels, cfg.guidance), diffusion, noise, sampler, steps, eta, gen
        )
    return time.perf_counter() - start, out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", help="a ddpm run folder or checkpoint.pt")
    p.add_argument("--samples", type=int, default=64, help="images per batch (scored together)")
    p.add_argument("--iterations", type=int, default=1, help="batches per sampler (different noise each)")
    p.add_argument("--ddim-steps", type=int, default=50)
    p.add_argument("--eta", type=float, default=0.0, help="DDIM noise")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    cfg, model = load(args.checkpoint)
    scorer = DigitScorer.trained(size=28, seed=0)
    results = {}
    for name, sampler, steps in (("ddpm", "ddpm", cfg.timesteps), (f"ddim{args.ddim_steps}", "ddim", args.ddim_steps)):
        seconds, scores = 0.0, []
        for i in range(args.iterations):
            dt, out = run(cfg, model, sampler, steps, args.eta, args.samples, seed=i)
            seconds += dt
            scores.append(scorer.score(((out + 1) / 2).numpy())["sample_score"])
        results[name] = (seconds, sum(scores) / len(scores))
        print(
            f"{name:>8}: {steps:5d} steps  {seconds / args.iterations:8.2f} s/batch  "
            f"{args.samples * args.iterations / seconds:8.2f} images/s  sample_score {results[name][1]:.3f}"
        )
    (t_full, s_full), (t_fast, s_fast) = results.values()
    print(
        f"speed-up DDIM/DDPM: {t_full / t_fast:.1f}x   sample_score {s_fast:.3f} vs {s_full:.3f}  "
        f"(size {cfg.size}, width {cfg.width}, batch {args.samples}, {args.threads} thread(s))"
    )


if __name__ == "__main__":
    main()
