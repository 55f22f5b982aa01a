"""Atari environment steps per second: the Deep Q lab's pipeline against a plain Gymnasium loop.

Ours: ale-py's C++ vector env (frame skip 4 with max-pooling, grayscale, 84x84, no-op starts)
with the plugin's own frame stack and replay writes, as the trainer runs them (no network).
Plain: one ``gym.make`` env through ``AtariPreprocessing`` and ``FrameStackObservation``.
Both take random actions; a step is one agent step (4 frames). The two alternate over several
rounds and report median wall-clock and process-CPU rates, since other load on a shared machine
skews wall-clock. ale-py steps its envs on a thread per core (pinned, see
``workbench_plugins.dqn.envs.ale_threads``), so the wall-clock ratio is about the CPU ratio
(ale-py's C++ preprocessing does ~1.2x the work per CPU-second of Gymnasium's wrappers) times
the cores it gets. It also prints what the frame stack and the replay writes cost per step (CPU
time of the loop's thread), against the whole pipeline's CPU per step, and the emulator's own CPU
per step: the floor under both pipelines, which bounds the CPU ratio.

    .venv/bin/python benchmarks/bench_atari_throughput.py --num-envs 16
Goals: ours >= 2.4x the plain loop in wall time on an idle machine, >= 1.5x per CPU-second.
"""

from __future__ import annotations

import argparse
import os
import time

import gymnasium as gym
import numpy as np
from ale_py import ALEInterface, LoggerMode, roms

from workbench.core.envs import register_all
from workbench_plugins.dqn.config import Config
from workbench_plugins.dqn.envs import FrameStack, atari_game, frames_of, make_train_env
from workbench_plugins.dqn.replay import ReplayBuffer


def ours(env_id: str, steps: int, num_envs: int) -> tuple[float, float, float]:
    """Seconds per agent step: wall, CPU, and the CPU of the frame stack and replay writes alone."""
    cfg = Config(env=env_id, num_envs=num_envs, buffer_size=max(steps, 1000))
    envs = make_train_env(cfg)
    rng = np.random.default_rng(0)
    rb = ReplayBuffer(cfg.buffer_size, (84, 84), np.uint8, num_envs, stack=4)
    stacker = FrameStack(num_envs, 4, (84, 84), np.uint8)
    obs, _ = envs.reset(seed=0)
    first, was_done = np.ones(num_envs, dtype=bool), np.zeros(num_envs, dtype=bool)
    x = stacker.push(frames_of(obs, True), first)
    n_actions = int(envs.single_action_space.n)
    start, cpu, done_steps, ours_cpu = time.perf_counter(), time.process_time(), 0, 0.0
    while done_steps < steps:
        actions = rng.integers(n_actions, size=num_envs)
        obs, reward, terminated, truncated, _ = envs.step(actions)
        valid = ~was_done
        t = time.thread_time()
        rb.add(x[:, -1], actions, np.sign(reward), terminated & valid, valid, first)
        ours_cpu += time.thread_time() - t
        done_steps += int(valid.sum())
        first, was_done = was_done.copy(), (terminated | truncated) & valid
        t = time.thread_time()
        x = stacker.push(frames_of(obs, True), first)
        ours_cpu += time.thread_time() - t
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    envs.close()
    return elapsed / done_steps, cpu / done_steps, ours_cpu / done_steps


def plain(env_id: str, steps: int) -> tuple[float, float]:
    env = gym.make(env_id, frameskip=1, repeat_action_probability=0.0)
    env = gym.wrappers.AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84)
    env = gym.wrappers.FrameStackObservation(env, 4)
    env.action_space.seed(0)
    env.reset(seed=0)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    env.close()
    return elapsed / steps, cpu / steps


def emulator(env_id: str, steps: int) -> float:
    """CPU seconds per agent step of the emulator alone, the floor under both pipelines: four
    frames and the two grayscale screens that max-pooling reads, nothing resized or stacked."""
    ale = ALEInterface()
    ale.setLoggerMode(LoggerMode.Error)
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(roms.get_rom_path(atari_game(env_id)))
    actions, screens = ale.getMinimalActionSet(), np.empty((2, 210, 160), np.uint8)
    rng = np.random.default_rng(0)
    cpu = time.process_time()
    for _ in range(steps):
        action = actions[rng.integers(len(actions))]
        for frame in range(4):
            ale.act(action)
            if frame >= 2:
                ale.getScreenGrayscale(screens[frame - 2])
        if ale.game_over():
            ale.reset_game()
    return (time.process_time() - cpu) / steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=30_000, help="agent steps per pipeline")
    p.add_argument("--rounds", type=int, default=5, help="alternations of the two pipelines")
    p.add_argument("--num-envs", type=int, default=16)
    p.add_argument("--env", default="ALE/SpaceInvaders-v5")
    args = p.parse_args()
    register_all()
    n = args.iterations // args.rounds
    rounds = []
    for r in range(args.rounds):
        (wall_p, cpu_p), (wall_o, cpu_o, writes) = plain(args.env, n), ours(args.env, n, args.num_envs)
        floor = emulator(args.env, n)
        rounds.append((1 / wall_p, 1 / cpu_p, 1 / wall_o, 1 / cpu_o, writes * 1e6, writes / cpu_o, 1 / floor))
        print(
            f"round {r + 1}: plain {1 / wall_p:5.0f} steps/s, ours {1 / wall_o:5.0f} steps/s, "
            f"ratio {wall_p / wall_o:.2f}x wall, {cpu_p / cpu_o:.2f}x CPU; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    wall_p, cpu_p, wall_o, cpu_o, writes_us, writes_share, cpu_e = np.median(rounds, axis=0)
    print(
        f"{args.env}, {n} agent steps per pipeline per round (4 frames per step), random actions, "
        f"median of {args.rounds} rounds"
    )
    print(
        f"plain Gymnasium loop (1 env, AtariPreprocessing + FrameStackObservation): "
        f"{wall_p:7.0f} steps/s wall, {cpu_p:7.0f} steps/CPU-s"
    )
    print(
        f"Deep Q lab pipeline ({args.num_envs} envs, ale-py vector env + frame stack + replay): "
        f"{wall_o:7.0f} steps/s wall, {cpu_o:7.0f} steps/CPU-s"
    )
    print(
        f"frame stack + replay writes: {writes_us:.1f} us CPU per step, {writes_share:.1%} of the pipeline's CPU per step"
    )
    print(
        f"emulator alone (4 frames, 2 grayscale screens per step): {cpu_e:7.0f} steps/CPU-s, at most "
        f"{cpu_e / cpu_p:.2f}x the plain loop per CPU-second with nothing else done"
    )
    print(f"ratio: {wall_o / wall_p:.2f}x wall, {cpu_o / cpu_p:.2f}x CPU (goals >= 2.4x wall when idle, >= 1.5x CPU)")


if __name__ == "__main__":
    main()
