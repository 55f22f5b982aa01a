"""Policy-gradient lab settings: one schema for the searches and the gradient methods.

PPO's settings are tuned to solve CartPole-v1 fast and stay solved (benchmarks/bench_ppo_vs_sb3.py):
its own (epochs, batch_size, clip), and its defaults of the settings the gradient methods share,
gamma 0.98 and GAE lambda 0.8 as in rl-baselines3-zoo's recipe. REINFORCE and A2C keep 0.99 and
0.95: A2C with 0.98 and 0.8 got worse (2 of 5 seeds never played a 500-step episode in 100,000 steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action
from workbench.core.config import Schema, by_choice, one_of, param
from workbench.envs.play import PLAY_ACTIONS, play_speed

ENVS = ("CartPole-v1", "CartPole-v0", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1")
CONTINUOUS_ENVS = ("Pendulum-v1",)
SEARCHES = ("random-search", "hill-climbing")
GRADIENTS = ("reinforce", "a2c", "ppo")
ALGOS = (*SEARCHES, *GRADIENTS)
BY_GRADIENT = one_of("algo", *GRADIENTS)


@dataclass
class Config(Schema):
    env: str = param("CartPole-v1", "Gymnasium environment id", choices=ENVS)
    algo: str = param(
        "ppo",
        "random-search and hill-climbing tune a linear policy; reinforce, a2c and ppo "
        "train neural networks by gradient",
        choices=ALGOS,
    )
    runs: int = param(
        1,
        "independent runs; with more than one, each ends at its first solved episode and "
        "the histogram shows how many episodes each needed",
        lo=1,
        hi=10_000,
    )
    episodes: int = param(10_000, "episode budget per run", lo=1, hi=10_000_000)
    steps: int = param(
        200_000, "environment step budget per run of a gradient method", lo=1, hi=100_000_000, when=BY_GRADIENT
    )
    noise: float = param(
        0.1,
        "hill climbing: scale of the uniform noise added to the weights",
        lo=0.0,
        hi=2.0,
        live=True,
        when=one_of("algo", "hill-climbing"),
    )
    lr: float = param(1e-3, "learning rate of the policy", lo=1e-5, hi=1e-1, log=True, live=True, when=BY_GRADIENT)
    lr_value: float = param(
        1e-3, "learning rate of the value function", lo=1e-5, hi=1e-1, log=True, live=True, when=BY_GRADIENT
    )
    gamma: float = param(
        by_choice("algo", 0.99, {"ppo": 0.98}), "discount factor", lo=0.0, hi=1.0, live=True, when=BY_GRADIENT
    )
    lam: float = param(
        by_choice("algo", 0.95, {"ppo": 0.8}),
        "GAE lambda of a2c and ppo: 0 uses the one-step TD error, 1 the Monte Carlo return minus the value",
        lo=0.0,
        hi=1.0,
        live=True,
        when=one_of("algo", "a2c", "ppo"),
    )
    ent_coef: float = param(
        0.0, "entropy bonus coefficient", lo=0.0, hi=0.1, live=True, when=BY_GRADIENT, group="advanced"
    )
    vf_coef: float = param(
        0.5,
        "weight of the value loss in the summed loss",
        lo=0.0,
        hi=2.0,
        live=True,
        when=one_of("algo", "a2c", "ppo"),
        group="advanced",
    )
    baseline: bool = param(
        True, "reinforce: subtract the learned value from the return", live=True, when=one_of("algo", "reinforce")
    )
    standardize: bool = param(
        False,
        "reinforce: standardise the returns (minus the baseline when on) over each batch",
        live=True,
        when=one_of("algo", "reinforce"),
        group="advanced",
    )
    max_grad_norm: float = param(
        0.5,
        "clip the gradient to this norm (0: no clipping)",
        lo=0.0,
        hi=100.0,
        live=True,
        when=BY_GRADIENT,
        group="advanced",
    )
    num_envs: int = param(
        8,
        "parallel environments of a gradient method (reinforce: episodes per update)",
        lo=1,
        hi=256,
        when=BY_GRADIENT,
        group="advanced",
    )
    n_steps: int = param(
        32,
        "a2c and ppo: steps per environment between updates",
        lo=1,
        hi=4096,
        when=one_of("algo", "a2c", "ppo"),
        group="advanced",
    )
    epochs: int = param(8, "ppo: passes over each rollout", lo=1, hi=100, when=one_of("algo", "ppo"), group="advanced")
    batch_size: int = param(64, "ppo: minibatch size", lo=1, hi=65_536, when=one_of("algo", "ppo"), group="advanced")
    clip: float = param(
        0.1, "ppo: clip range of the probability ratio", lo=0.01, hi=1.0, live=True, when=one_of("algo", "ppo")
    )
    hidden: int = param(64, "units in each of the two hidden layers", lo=4, hi=1024, when=BY_GRADIENT, group="advanced")
    render: bool = param(True, "show the environment as it plays", live=True)
    play_speed: float = play_speed()
    threads: int = param(1, "torch intra-op threads", lo=1, hi=64, group="advanced")
    seed: int = param(0, "random seed", lo=0)

    actions: ClassVar[tuple[Action, ...]] = (
        Action("record", "Record next episode", help="play one episode of the current policy into a GIF"),
        *PLAY_ACTIONS,
    )

    def check(self) -> None:
        if self.algo in SEARCHES and self.env in CONTINUOUS_ENVS:
            raise ValueError(
                f"algo={self.algo!r} needs discrete actions (a linear threshold policy) but "
                f"env={self.env!r} has continuous actions; use reinforce, a2c or ppo there"
            )
        if self.algo == "ppo" and self.batch_size > self.num_envs * self.n_steps:
            raise ValueError(
                f"batch_size={self.batch_size} is larger than a rollout of num_envs * n_steps = "
                f"{self.num_envs * self.n_steps} steps; lower it or collect more steps"
            )
