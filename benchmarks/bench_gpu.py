"""On a GPU: the Deep Q lab's agent steps/s on Atari and the DDPM lab's training images/s, each
against a plain PyTorch loop of the same model on the same device.

Ours runs as ``workbench run --device cuda`` runs it: the plugin's trainer through ``Run``, with
metrics.csv its only other sink. Plain is the loop a notebook holds, built from the same model
class and settings:
- DQN: one Gymnasium env through ``AtariPreprocessing`` and ``FrameStackObservation``, a numpy
  replay of stacked observations, one Double DQN update of the dueling network every
  ``train_every`` steps, a hard target copy every ``target_every`` (the lab's Space Invaders
  preset, learning from step 500). Ours steps 16 games in ale-py's vector env and acts for all 16
  in one forward pass.
- DDPM: batches drawn from the image set on the device, the ε-prediction loss, Adam and the EMA of
  the weights; the loss is read back every 100 steps, as a progress print would. Ours also
  reports its loss and the loss per t every step, and draws no samples in the timed window.

Each side runs in a fresh spawned process each round (CUDA and torch start cold alike); the two
alternate which goes first over rounds, and the medians are reported. A rate counts from a
quarter of the steps on, past the replay's warm-up and the first kernels' compilation.

    .venv/bin/python benchmarks/bench_gpu.py --rounds 3
    .venv/bin/python benchmarks/bench_gpu.py --ddpm-set size=32 --ddpm-set width=64 --ddpm-set batch_size=256
    .venv/bin/python benchmarks/bench_gpu.py --device cpu --dqn-steps 2000 --ddpm-steps 120 --rounds 1

The last runs the same comparison on the CPU, to try the script where there is no GPU. Measured
so on the 2-core machine (no GPU), 2026-12-03: DQN on Atari 68 against 68 agent steps/s (one
round of 2,000 steps; the convolutions' updates bound both), DDPM 861 against 759 images/s
(``--ddpm-steps 160 --rounds 2``: 1.13; ``--ddpm-steps 400 --rounds 3``: 1.29). On the CPU that
gap is where each process runs, not what it does: the two loops under the torch profiler spend
the same 1.66 s on 50 steps, and pinned to one core (``taskset``) they run at 28-29 and 28-32
steps/s, the ranking turning with the core.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from rate_sink import timed_run  # a sibling script: benchmarks/ is on sys.path

from workbench.core.cli import build_config
from workbench.core.envs import register_all
from workbench.core.manifest import find
from workbench.data import load_images
from workbench.rl.schedules import epsilon_at
from workbench_plugins.ddpm.diffusion import Diffusion, betas
from workbench_plugins.ddpm.model import UNet
from workbench_plugins.ddpm.trainer import ema_update
from workbench_plugins.dqn.model import QNetwork

ATARI = (  # the lab's Space Invaders preset (plugins/dqn/recipes.toml), learning from step 500
    "env=ALE/SpaceInvaders-v5", "algo=dueling-double", "num_envs=16", "buffer_size=50000", "learning_starts=500",
    "lr=1e-4", "batch_size=32", "train_every=4", "updates=1", "hidden=512", "target_update=hard", "target_every=8000",
    "eval_every=0",
)  # fmt: skip
LOSS_EVERY = 100  # the plain DDPM loop's progress print


def ours(plugin: str, sets: list[str], device: str, steps: int) -> float:
    """Steps per second of the plugin's trainer run through ``Run``, from a quarter of ``steps`` on."""
    return timed_run(find(plugin), build_config(find(plugin), sets, 0), steps, device).rate()


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def plain_dqn(sets: list[str], device: str, steps: int) -> float:
    """Agent steps per second of a single-env Double DQN loop with the lab's network and settings."""
    cfg = build_config(find("dqn"), sets, 0)
    torch.manual_seed(0)
    torch.set_num_threads(cfg.threads)  # as the lab's trainer sets them
    register_all()
    env = gym.make(cfg.env, frameskip=1, repeat_action_probability=0.0)
    env = gym.wrappers.AtariPreprocessing(env, noop_max=cfg.noop_max, frame_skip=4, screen_size=84)
    env = gym.wrappers.FrameStackObservation(env, cfg.frame_stack)
    n_actions = int(env.action_space.n)
    q = QNetwork((cfg.frame_stack, 84, 84), n_actions, cfg.hidden, dueling=True).to(device)
    target = copy.deepcopy(q)
    optimizer = torch.optim.Adam(q.parameters(), lr=cfg.lr)
    capacity = min(cfg.buffer_size, steps)
    observations = np.zeros((capacity, cfg.frame_stack, 84, 84), np.uint8)
    next_observations = np.zeros_like(observations)
    actions, rewards, dones = (np.zeros(capacity, dtype) for dtype in (np.int64, np.float32, np.float32))
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=0)
    start = None
    for step in range(steps):
        if step == steps // 4:
            _sync(device)
            start = time.perf_counter()
        if rng.random() < epsilon_at(cfg, step):
            action = int(rng.integers(n_actions))
        else:
            with torch.no_grad():
                action = int(q(torch.as_tensor(obs[None], device=device)).argmax())
        next_obs, reward, terminated, truncated, _ = env.step(action)
        i = step % capacity
        observations[i], next_observations[i] = obs, next_obs
        actions[i], rewards[i], dones[i] = action, np.sign(reward), terminated
        obs = env.reset()[0] if terminated or truncated else next_obs
        if step >= cfg.learning_starts and step % cfg.train_every == 0:
            idx = rng.integers(min(step + 1, capacity), size=cfg.batch_size)
            o, o2 = (torch.as_tensor(a[idx], device=device) for a in (observations, next_observations))
            a, r, d = (torch.as_tensor(x[idx], device=device) for x in (actions, rewards, dones))
            with torch.no_grad():
                best = q(o2).argmax(dim=1, keepdim=True)
                y = r + cfg.gamma * (1.0 - d) * target(o2).gather(1, best)[:, 0]
            loss = F.smooth_l1_loss(q(o).gather(1, a[:, None])[:, 0], y)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(q.parameters(), cfg.max_grad_norm)
            optimizer.step()
        if step % cfg.target_every == 0:
            target.load_state_dict(q.state_dict())
    _sync(device)
    assert start is not None
    return (steps - steps // 4) / (time.perf_counter() - start)


def plain_ddpm(sets: list[str], device: str, steps: int) -> float:
    """Training steps per second of a plain ε-prediction loop with the lab's UNet and settings."""
    cfg = build_config(find("ddpm"), sets, 0)
    torch.manual_seed(0)
    torch.set_num_threads(cfg.threads)  # as the lab's trainer sets them
    images, _ = load_images(cfg.data, size=cfg.size, seed=0, channels=cfg.channels)
    data = torch.from_numpy(images * 2.0 - 1.0).to(device)
    diffusion = Diffusion(betas(cfg.schedule, cfg.timesteps, cfg.beta_start, cfg.beta_end)).to(device)
    model = UNet(cfg.channels, cfg.size, cfg.width, cfg.attn_res, 0, cfg.dropout).to(device)
    ema = copy.deepcopy(model).requires_grad_(False).eval()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    losses, start = [], None
    for step in range(steps):
        if step == steps // 4:
            _sync(device)
            start = time.perf_counter()
        x0 = data[torch.randint(len(data), (cfg.batch_size,), device=device)]
        t = torch.randint(cfg.timesteps, (cfg.batch_size,), device=device)
        noise = torch.randn_like(x0)
        loss = F.mse_loss(model(diffusion.q_sample(x0, t, noise), t), noise)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ema_update(ema, model, cfg.ema_decay)
        if step % LOSS_EVERY == 0:
            losses.append(loss.item())
    _sync(device)
    assert start is not None
    return (steps - steps // 4) / (time.perf_counter() - start)


def in_fresh_process(fn: Callable[..., float], *args) -> float:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def compare(name: str, unit: str, per_step: int, ours_side, plain_side, rounds: int) -> None:
    """Alternate the two sides over ``rounds`` and print each round and the medians."""
    rates: dict[str, list[float]] = {"ours": [], "plain": []}
    for r in range(rounds):
        sides = [("ours", ours_side), ("plain", plain_side)]
        for label, side in sides if r % 2 == 0 else sides[::-1]:
            rates[label].append(per_step * in_fresh_process(*side))
        print(
            f"  {name} round {r + 1}: ours {rates['ours'][-1]:,.0f}, plain {rates['plain'][-1]:,.0f} {unit}", flush=True
        )
    mine, theirs = statistics.median(rates["ours"]), statistics.median(rates["plain"])
    print(f"{name}: ours {mine:,.0f} {unit}, plain {theirs:,.0f} {unit}: ours/plain {mine / theirs:.2f}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda", help="cuda (default), cuda:N, or cpu to try the script without a GPU")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--parts", nargs="+", choices=("dqn", "ddpm"), default=["dqn", "ddpm"])
    p.add_argument("--dqn-steps", type=int, default=40_000, help="agent steps per DQN measurement")
    p.add_argument("--ddpm-steps", type=int, default=2_000, help="training steps per DDPM measurement")
    p.add_argument("--ddpm-set", action="append", default=[], help="a DDPM setting other than the lab's, key=value")
    args = p.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("bench_gpu: torch sees no CUDA device here; run it on a GPU machine, or with --device cpu to try it")
    name = torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else "the CPU, 1 torch thread"
    print(f"device: {args.device} ({name}); torch {torch.__version__}; {args.rounds} rounds", flush=True)
    if "dqn" in args.parts:
        sets, steps = list(ATARI), args.dqn_steps
        print(f"DQN on Atari, {steps:,} agent steps, settings: {' '.join(sets)}", flush=True)
        compare(
            "dqn atari",
            "agent steps/s",
            1,
            (ours, "dqn", sets, args.device, steps),
            (plain_dqn, sets, args.device, steps),
            args.rounds,
        )
    if "ddpm" in args.parts:
        sets, steps = ["steps=10000000", "sample_every=1000000", *args.ddpm_set], args.ddpm_steps
        batch = build_config(find("ddpm"), sets, 0).batch_size
        print(f"DDPM, {steps:,} training steps, settings: lab defaults {' '.join(args.ddpm_set)}", flush=True)
        compare(
            "ddpm",
            "images/s",
            batch,
            (ours, "ddpm", sets, args.device, steps),
            (plain_ddpm, sets, args.device, steps),
            args.rounds,
        )


if __name__ == "__main__":
    main()
