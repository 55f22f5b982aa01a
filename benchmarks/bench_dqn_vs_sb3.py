"""Time to solve CartPole-v1 and stay solved: the Deep Q lab's DQN with its default settings against
stable-baselines3's DQN with rl-baselines3-zoo's tuned CartPole recipe.

Both are judged by solve_judge.py: greedy 10-episode evaluations every 2,000 steps, solved at the
first averaging >= 475, then 20,000 more steps of which >= 90% of the evaluations must stay solved;
the clocks stop while evaluations play. The lab evaluates in its own trainer (eval_every=2000,
eval_episodes=10 are its defaults), stable-baselines3 in a callback with evaluate_policy. The zoo
recipe: lr 2.3e-3, batch 64, replay 100k, warm-up 1,000, gamma 0.99, target copy every 10 steps,
128 updates every 256 steps, epsilon 1 -> 0.04 over 8,000 steps (16% of its 50k), [256, 256].
Both run on the CPU with one torch thread. stable-baselines3 is the benchmark-only `bench` extra:

    .venv/bin/pip install stable-baselines3 torch==<the installed torch>
    .venv/bin/python benchmarks/bench_dqn_vs_sb3.py --seeds 0 1 2 3 4

Measured 2026-12-02 on a 2-core desktop with that command (the lab's defaults: [64, 64], 32
updates of 256 every 256 steps, lr 2e-3), seconds to solve, the step, and the share of the next
20,000 steps' evaluations that stayed solved:

    seed   lab                      stable-baselines3
    0      5.5 at 36,000 (30%)      17.0 at 22,000 (70%)
    1      5.6 at 40,000 (100%)     26.4 at 36,000 (80%)
    2      7.1 at 48,000 (100%)     18.8 at 28,000 (40%)
    3      not in 70,000            3.4 at  6,000 (0%)
    4      6.1 at 46,000 (80%)      0.7 at  2,000 (10%)

Median 6.1 s against 17.0 s: 0.36x (wall and CPU). Stayed solved (>= 90%): the lab on 2 of the
4 it solved, stable-baselines3 on none of 5.
"""

from __future__ import annotations

import argparse
import functools
import importlib

import torch
from solve_judge import EVAL_EPISODES, EVAL_EVERY, HOLD_STEPS, Judge, compare

import workbench_plugins.dqn.trainer as dqn_trainer
from workbench.core.cli import build_config
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import Sink


class Watch(Sink):
    """Hands the lab's evaluations to the judge and stops the run once it has held or not."""

    def __init__(self, judge: Judge) -> None:
        self.judge, self.run = judge, None

    def write(self, snap) -> None:
        if "eval_return" in snap.scalars:
            self.judge.record(snap.step, snap.scalars["eval_return"])
            if self.judge.finished(snap.step):
                self.run.stop()


def ours(seed: int, steps: int, sets: list[str]) -> Judge:
    manifest = find("dqn")
    cfg = build_config(manifest, [f"steps={steps}", *sets], seed)
    assert cfg.eval_every == EVAL_EVERY and cfg.eval_episodes == EVAL_EPISODES, "judge by the same evaluations"
    judge = Judge()
    play = dqn_trainer.play

    def timed_play(*args, **kwargs):
        with judge.paused():
            return (yield from play(*args, **kwargs))

    dqn_trainer.play = timed_play  # the trainer looks `play` up when it evaluates
    try:
        watch = Watch(judge)
        watch.run = Run(manifest, cfg, device="cpu", sinks=[watch], on_nonfinite="stop")
        judge.start()
        watch.run.run()
    finally:
        dqn_trainer.play = play
    return judge


def sb3(seed: int, steps: int) -> Judge:
    import gymnasium as gym
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.monitor import Monitor

    judge = Judge()
    eval_env = Monitor(gym.make("CartPole-v1"))

    class Evaluate(BaseCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps % EVAL_EVERY:
                return True
            with judge.paused():
                mean, _ = evaluate_policy(self.model, eval_env, n_eval_episodes=EVAL_EPISODES, deterministic=True)
            judge.record(self.num_timesteps, float(mean))
            return not judge.finished(self.num_timesteps)

    judge.start()
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
        policy_kwargs={"net_arch": [256, 256]},
        seed=seed,
        device="cpu",
    )
    model.learn(total_timesteps=steps, callback=Evaluate())
    return judge


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--iterations", type=int, default=50_000 + HOLD_STEPS, help="environment step budget per run")
    p.add_argument("--set", action="append", default=[], help="a lab setting other than its default, key=value")
    args = p.parse_args()
    torch.set_num_threads(1)
    for module in ("stable_baselines3", "torch._dynamo"):  # Adam imports dynamo: before any clock runs
        importlib.import_module(module)

    compare(
        args.seeds,
        functools.partial(ours, steps=args.iterations, sets=args.set),
        functools.partial(sb3, steps=args.iterations),
    )


if __name__ == "__main__":
    main()
