"""Wall-clock and environment steps until PPO solves CartPole-v1: the policy-gradient lab's PPO
against stable-baselines3's PPO with the same hyperparameters, seed by seed in one process.

"Solved" is the lab's definition for both: the first episode that reaches the maximum return (500).
Both run on the CPU with one torch thread; the two alternate per seed so a busy machine slows both
alike. Needs stable-baselines3 (``pip install stable-baselines3 torch==<the installed torch>``).

    python benchmarks/bench_ppo_vs_sb3.py --seeds 3 --steps 100000
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import torch

from workbench.core.driver import RunContext
from workbench_plugins.policy_gradient.config import Config
from workbench_plugins.policy_gradient.environments import INFO
from workbench_plugins.policy_gradient.trainer import train

ENV = "CartPole-v1"


def lab_ppo(cfg: Config) -> tuple[int | None, float]:
    """Steps and seconds until the first solved episode (steps None: not within the budget)."""
    start = time.perf_counter()
    for snap in train(cfg, RunContext(cfg, "cpu", None, None, threading.Event())):
        if snap.scalars.get("episode_return/max", -float("inf")) >= INFO[ENV].solved_return:
            return snap.step, time.perf_counter() - start
    return None, time.perf_counter() - start


def sb3_ppo(cfg: Config) -> tuple[int | None, float]:
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    class StopWhenSolved(BaseCallback):
        solved_at: int | None = None

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info and info["episode"]["r"] >= INFO[ENV].solved_return:
                    self.solved_at = self.num_timesteps
                    return False
            return True

    start = time.perf_counter()
    envs = make_vec_env(ENV, n_envs=cfg.num_envs, seed=cfg.seed)
    model = PPO(
        "MlpPolicy",
        envs,
        learning_rate=cfg.lr,
        n_steps=cfg.n_steps,
        batch_size=cfg.batch_size,
        n_epochs=cfg.epochs,
        gamma=cfg.gamma,
        gae_lambda=cfg.lam,
        clip_range=cfg.clip,
        ent_coef=cfg.ent_coef,
        vf_coef=cfg.vf_coef,
        max_grad_norm=cfg.max_grad_norm,
        policy_kwargs={"net_arch": {"pi": [cfg.hidden] * 2, "vf": [cfg.hidden] * 2}},
        seed=cfg.seed,
        device="cpu",
    )
    callback = StopWhenSolved()
    model.learn(total_timesteps=cfg.steps, callback=callback)
    envs.close()
    return callback.solved_at, time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    p.add_argument("--steps", type=int, default=100_000, help="step budget of each run")
    args = p.parse_args()
    torch.set_num_threads(1)
    cfg = Config(env=ENV, algo="ppo", steps=args.steps, render=False)
    print(
        f"PPO on {ENV}: num_envs={cfg.num_envs} n_steps={cfg.n_steps} batch_size={cfg.batch_size} "
        f"epochs={cfg.epochs} lr={cfg.lr} gamma={cfg.gamma} lam={cfg.lam} clip={cfg.clip} "
        f"ent_coef={cfg.ent_coef} vf_coef={cfg.vf_coef} max_grad_norm={cfg.max_grad_norm} hidden={cfg.hidden}"
    )
    print(
        f"{'seed':>4}  {'lab steps':>9}  {'lab s':>7}  {'lab steps/s':>11}  {'sb3 steps':>9}  {'sb3 s':>7}  "
        f"{'sb3 steps/s':>11}  {'s ratio lab/sb3':>15}"
    )
    ratios, solved = [], {"lab": 0, "sb3": 0}
    for seed in range(args.seeds):
        run_cfg = Config(**{**cfg.__dict__, "seed": seed})
        lab_steps, lab_s = lab_ppo(run_cfg)
        sb3_steps, sb3_s = sb3_ppo(run_cfg)
        solved["lab"] += lab_steps is not None
        solved["sb3"] += sb3_steps is not None
        ratio = lab_s / sb3_s if lab_steps and sb3_steps else float("nan")
        if lab_steps and sb3_steps:
            ratios.append(ratio)
        lab_rate, sb3_rate = (lab_steps or args.steps) / lab_s, (sb3_steps or args.steps) / sb3_s
        print(
            f"{seed:>4}  {lab_steps or '-':>9}  {lab_s:7.1f}  {lab_rate:11.0f}  "
            f"{sb3_steps or '-':>9}  {sb3_s:7.1f}  {sb3_rate:11.0f}  {ratio:15.2f}",
            flush=True,
        )
    print(f"solved within {args.steps} steps: lab {solved['lab']}/{args.seeds}, sb3 {solved['sb3']}/{args.seeds}")
    if ratios:
        print(f"median wall-clock-to-solve ratio lab/sb3: {statistics.median(ratios):.2f} (seeds solved by both)")


if __name__ == "__main__":
    main()
