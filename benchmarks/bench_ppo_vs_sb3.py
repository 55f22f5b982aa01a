"""Time to solve CartPole-v1 and stay solved: the policy-gradient lab's PPO with its default settings
against stable-baselines3's PPO with rl-baselines3-zoo's tuned CartPole recipe.

Both are judged by solve_judge.py: greedy 10-episode evaluations (the most likely action) every
2,000 steps, solved at the first averaging >= 475, then 20,000 more steps of which >= 90% of the
evaluations must stay solved; the clocks stop while evaluations play. Both sides evaluate at the
first update boundary at or after each multiple of 2,000 steps (their rollouts are both 8 x 32
steps), with the policy that update left. The zoo recipe: 8 envs, n_steps 32, batch 256, 20
epochs, gamma 0.98, GAE lambda 0.8, no entropy bonus, learning rate and clip range decayed
linearly from 1e-3 and 0.2 over its 100,000 steps, [64, 64] tanh networks. Both run on the CPU
with one torch thread. stable-baselines3 is the benchmark-only `bench` extra:

    .venv/bin/pip install stable-baselines3 torch==<the installed torch>
    .venv/bin/python benchmarks/bench_ppo_vs_sb3.py --seeds 0 1 2 3 4

Measured 2026-12-03 on the idle 2-core machine (median time to solve, ours / SB3):

    defaults (epochs 8, batch_size 64, clip 0.1; gamma 0.98 and GAE lambda 0.8, PPO's own)
      --seeds 0 1 2 3 4 5 6 7 8 9      0.49x wall, 0.49x CPU; stayed solved 9/10, SB3 4/10
    --set gamma=0.99 --set lam=0.95 (REINFORCE's and A2C's defaults)
      --seeds 0 1 2 3 4                0.55x wall, 0.55x CPU; stayed solved 5/5, SB3 1/5
      --seeds 5 6 7 8 9                0.83x wall, 0.83x CPU; stayed solved 4/5, SB3 3/5

Each side solves in 1-3 s, so the ratio is mostly the steps each needed (ours a median of 8,192
over seeds 0-9, SB3 13,056), and one seed's solving step moves by thousands of steps with any
change to the arithmetic. gamma and lambda default to the zoo's for PPO only: A2C with 0.98 and
0.8 did worse (2 of 5 seeds played no 500-step episode in 100,000 steps). Before, 20 epochs of one
256-step minibatch with clip 0.2 measured 0.81x and stayed solved 3/5. Fewer gradient steps per
rollout are fast but do not hold: --set epochs=5 (20 steps of 64) stayed solved 1/5,
--set batch_size=128 (16 steps of 128) 0/5.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import threading

import gymnasium as gym
import torch
from solve_judge import EVAL_EVERY, Judge, compare, greedy_return

from workbench.core.cli import build_config
from workbench.core.driver import RunContext
from workbench.core.manifest import find
from workbench_plugins.policy_gradient.model import Policy
from workbench_plugins.policy_gradient.trainer import train

ENV = "CartPole-v1"
ZOO_STEPS = 100_000  # the zoo recipe's n_timesteps: its schedules decay over these


def ours(seed: int, sets: list[str]) -> Judge:
    cfg = build_config(find("policy-gradient"), [f"steps={ZOO_STEPS}", "render=false", *sets], seed)
    assert cfg.env == ENV and cfg.algo == "ppo", "the lab's defaults are PPO on CartPole"
    ctx = RunContext(cfg, "cpu", None, None, threading.Event())
    judge, env = Judge(), gym.make(ENV)
    env.reset(seed=seed + 1)
    greedy = Policy(env.observation_space.shape[0], cfg.hidden, n_actions=int(env.action_space.n))
    next_eval = EVAL_EVERY
    judge.start()
    run = train(cfg, ctx)
    for snap in run:
        if snap.step < next_eval:
            continue
        with judge.paused(), torch.no_grad():
            greedy.load_state_dict(ctx.state_fn()["agent"]["policy"])
            judge.record(snap.step, greedy_return(lambda obs: int(greedy.net(torch.as_tensor(obs)).argmax()), env))
        next_eval += EVAL_EVERY * (1 + (snap.step - next_eval) // EVAL_EVERY)
        if judge.finished(snap.step):
            break
    run.close()
    return judge


def sb3(seed: int) -> Judge:
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    judge, env = Judge(), gym.make(ENV)
    env.reset(seed=seed + 1)

    class Evaluate(BaseCallback):
        next_eval = EVAL_EVERY

        def _on_rollout_start(self) -> None:  # right after an update (and once before the first)
            if self.num_timesteps < self.next_eval:
                return
            with judge.paused():
                judge.record(
                    self.num_timesteps,
                    greedy_return(lambda obs: int(self.model.predict(obs, deterministic=True)[0]), env),
                )
            self.next_eval += EVAL_EVERY * (1 + (self.num_timesteps - self.next_eval) // EVAL_EVERY)

        def _on_step(self) -> bool:
            return not judge.finished(self.num_timesteps)

    def linear(start: float):
        return lambda remaining: start * remaining  # the zoo's lin_<start>: to 0 at the end of learn()

    judge.start()
    model = PPO(
        "MlpPolicy",
        make_vec_env(ENV, n_envs=8, seed=seed),
        n_steps=32,
        batch_size=256,
        n_epochs=20,
        gamma=0.98,
        gae_lambda=0.8,
        ent_coef=0.0,
        learning_rate=linear(1e-3),
        clip_range=linear(0.2),
        seed=seed,
        device="cpu",
    )
    model.learn(total_timesteps=ZOO_STEPS, callback=Evaluate())
    return judge


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--set", action="append", default=[], help="a lab setting other than its default, key=value")
    args = p.parse_args()
    torch.set_num_threads(1)
    for module in ("stable_baselines3", "torch._dynamo"):  # Adam imports dynamo: before any clock runs
        importlib.import_module(module)
    print(f"budget {ZOO_STEPS} steps; lab settings: defaults {' '.join(args.set)}", flush=True)
    compare(args.seeds, functools.partial(ours, sets=args.set), sb3)


if __name__ == "__main__":
    main()
