"""Wall-clock to solve CartPole-v1: the Deep Q lab's DQN against stable-baselines3's DQN, same hyperparameters.

Solved: a greedy evaluation of 10 episodes, run every 2,000 environment steps, averages >= 475.
Both use the plugin's default config (rl-baselines3-zoo's tuned CartPole DQN): lr 2.3e-3, batch
64, replay 100k, warm-up 1,000, gamma 0.99, target copy every 10 steps, 128 updates every 256
steps, epsilon 1 -> 0.04 over 8,000 steps, two hidden layers of 256, Huber loss, grad clip 10,
one torch thread. Besides wall-clock it prints process CPU time, which other load on a shared
machine disturbs less. stable-baselines3 is a benchmark-only extra:

    .venv/bin/pip install stable-baselines3 torch==2.13.0
    .venv/bin/python benchmarks/bench_dqn_vs_sb3.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from workbench.core.cli import build_config
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import Sink

SOLVED = 475.0


class SolveWatch(Sink):
    """Stops the run at the first evaluation that solves the task."""

    def __init__(self) -> None:
        self.run: Run | None = None
        self.solved_at: int | None = None
        self.seconds = self.cpu = float("nan")
        self.start()

    def start(self) -> None:
        self._t0, self._c0 = time.perf_counter(), time.process_time()

    def solved(self, step: int) -> None:
        self.solved_at = step
        self.seconds, self.cpu = time.perf_counter() - self._t0, time.process_time() - self._c0

    def write(self, snap) -> None:
        if self.solved_at is None and snap.scalars.get("eval_return", 0.0) >= SOLVED:
            self.solved(snap.step)
            self.run.stop()


def ours(seed: int, steps: int) -> SolveWatch:
    manifest = find("dqn")
    cfg = build_config(manifest, [f"steps={steps}", "threads=1"], seed)
    watch = SolveWatch()
    run = Run(manifest, cfg, device="cpu", sinks=[watch], on_nonfinite="stop")
    watch.run = run
    run.run()
    return watch


def sb3(seed: int, steps: int) -> SolveWatch:
    import gymnasium as gym
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.monitor import Monitor

    watch = SolveWatch()
    eval_env = Monitor(gym.make("CartPole-v1"))

    class Evaluate(BaseCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps % 2000:
                return True
            mean, _ = evaluate_policy(self.model, eval_env, n_eval_episodes=10, deterministic=True)
            if mean >= SOLVED:
                watch.solved(self.num_timesteps)
                return False
            return True

    model = DQN(
        "MlpPolicy",
        "CartPole-v1",
        learning_rate=2.3e-3,
        batch_size=64,
        buffer_size=100_000,
        learning_starts=1000,
        gamma=0.99,
        target_update_interval=10,
        train_freq=256,
        gradient_steps=128,
        exploration_fraction=8000 / steps,
        exploration_initial_eps=1.0,
        exploration_final_eps=0.04,
        max_grad_norm=10.0,
        policy_kwargs={"net_arch": [256, 256]},
        seed=seed,
        device="cpu",
    )
    watch.start()
    model.learn(total_timesteps=steps, callback=Evaluate())
    return watch


def fmt(w: SolveWatch) -> str:
    if w.solved_at is None:
        return "not solved"
    return f"solved at step {w.solved_at:6d} in {w.seconds:7.1f} s wall, {w.cpu:7.1f} s CPU"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--iterations", type=int, default=50_000, help="environment step budget per run")
    args = p.parse_args()
    torch.set_num_threads(1)
    rows = []
    for seed in args.seeds:
        a, b = ours(seed, args.iterations), sb3(seed, args.iterations)
        print(f"seed {seed}: ours {fmt(a)} | stable-baselines3 {fmt(b)}", flush=True)
        rows.append((a, b))
    both = [(a, b) for a, b in rows if a.solved_at is not None and b.solved_at is not None]
    if both:
        wall = np.mean([b.seconds / a.seconds for a, b in both])
        cpu = np.mean([b.cpu / a.cpu for a, b in both])
        print(f"stable-baselines3 time / ours, mean over seeds both solved: {wall:.2f}x wall, {cpu:.2f}x CPU")
    print(
        f"solved: ours {sum(a.solved_at is not None for a, _ in rows)}/{len(rows)}, "
        f"stable-baselines3 {sum(b.solved_at is not None for _, b in rows)}/{len(rows)}"
    )


if __name__ == "__main__":
    main()
