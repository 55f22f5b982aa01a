"""k-armed bandit testbed settings (Sutton & Barto, chapter 2)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, param
from workbench.rl.schedules import SCHEDULES

AGENTS = ("epsilon-greedy", "ucb", "softmax", "gradient")
# one-click comparisons of the book's figures (and the slides' epsilon schedules)
COMPARISONS = ("none", "epsilon", "optimistic", "ucb", "gradient", "step-size", "softmax", "schedules")


@dataclass
class Config(Schema):
    compare: str = param("epsilon", "agents side by side: none (the agent below), epsilon (Figure 2.2: "
                         "eps 0, 0.01, 0.1), optimistic (Figure 2.3), ucb (Figure 2.4), gradient "
                         "(Figure 2.5, use mean=4), step-size (Exercise 2.5: sample averages vs alpha 0.1, use "
                         "walk_std=0.01), softmax (temperatures), schedules (epsilon schedules)",
                         choices=COMPARISONS)
    agent: str = param("epsilon-greedy", "the agent when compare is none", choices=AGENTS)
    epsilon: float = param(0.1, "exploration rate of epsilon-greedy (start of its schedule)", lo=0.0, hi=1.0, live=True)
    schedule: str = param("constant", "how epsilon changes over the steps", choices=SCHEDULES)
    epsilon_end: float = param(0.01, "epsilon at the end of a schedule", lo=0.0, hi=1.0, live=True)
    schedule_steps: int = param(500, "steps of the linear and sinusoidal schedules", lo=1, hi=1_000_000)
    decay: float = param(0.01, "per-step rate of the exponential schedule", lo=0.0, hi=1.0)
    alpha: float = param(0.0, "constant step size (0: sample averages; the gradient agent's step size)",
                         lo=0.0, hi=1.0, live=True)
    q_init: float = param(0.0, "initial estimates (5 for optimistic initial values)", lo=-10.0, hi=10.0)
    c: float = param(2.0, "UCB exploration weight", lo=0.0, hi=10.0, live=True)
    temperature: float = param(0.2, "softmax temperature", lo=0.01, hi=10.0, log=True, live=True)
    baseline: bool = param(True, "gradient agent: subtract the average reward", live=True)
    k: int = param(10, "arms", lo=2, hi=1000)
    mean: float = param(0.0, "mean of the true values q*(a) ~ N(mean, 1)", lo=-10.0, hi=10.0)
    walk_std: float = param(0.0, "std of the true values' random walk per step (0: stationary)", lo=0.0, hi=1.0)
    runs: int = param(2000, "independent bandit problems averaged", lo=1, hi=100_000)
    steps: int = param(1000, "steps per run", lo=1, hi=1_000_000)
    seed: int = param(0, "random seed", lo=0)

    def check(self) -> None:
        if self.agent == "gradient" and self.compare == "none" and self.alpha == 0.0:
            raise ValueError("alpha=0.0 gives the gradient agent no step size; set alpha > 0 (e.g. 0.1)")
