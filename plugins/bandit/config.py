"""k-armed bandit testbed settings (Sutton & Barto, chapter 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.config import Condition, Schema, param
from workbench.rl.schedules import SCHEDULES

AGENTS = ("epsilon-greedy", "ucb", "softmax", "gradient")
# one-click comparisons of the book's figures (and the slides' epsilon schedules)
COMPARISONS = ("none", "epsilon", "optimistic", "ucb", "gradient", "step-size", "softmax", "schedules")


def agent_is(*kinds: str) -> Condition:
    """Applies to the single agent (compare is none) when it is one of ``kinds``."""
    shown = " or ".join(kinds)
    return Condition(f"compare is none and agent is {shown}", lambda c: c.compare == "none" and c.agent in kinds)


EPSILON_GREEDY = agent_is("epsilon-greedy")
DECAYING = Condition(
    "compare is none, agent is epsilon-greedy and epsilon_schedule is not constant",
    lambda c: EPSILON_GREEDY.test(c) and c.epsilon_schedule != "constant",
)


@dataclass
class Config(Schema):
    compare: str = param(
        "epsilon",
        "agents side by side: none (the agent below), epsilon (Figure 2.2: "
        "eps 0, 0.01, 0.1), optimistic (Figure 2.3), ucb (Figure 2.4), gradient "
        "(Figure 2.5, use mean=4), step-size (Exercise 2.5: sample averages vs alpha 0.1, use "
        "walk_std=0.01), softmax (temperatures), schedules (epsilon schedules)",
        choices=COMPARISONS,
    )
    agent: str = param(
        "epsilon-greedy",
        "the agent when compare is none",
        choices=AGENTS,
        when=Condition("compare is none", lambda c: c.compare == "none"),
    )
    epsilon: float = param(
        0.1,
        "exploration rate of epsilon-greedy (start of its schedule)",
        lo=0.0,
        hi=1.0,
        live=True,
        when=EPSILON_GREEDY,
    )
    epsilon_schedule: str = param(
        "constant", "how epsilon changes over the steps", choices=SCHEDULES, when=EPSILON_GREEDY
    )
    epsilon_end: float = param(0.01, "epsilon at the end of a schedule", lo=0.0, hi=1.0, live=True, when=DECAYING)
    epsilon_duration: int = param(
        500, "steps of the linear and sinusoidal schedules", lo=1, hi=1_000_000, when=DECAYING, group="advanced"
    )
    epsilon_decay: float = param(
        0.01, "per-step rate of the exponential schedule", lo=0.0, hi=1.0, when=DECAYING, group="advanced"
    )
    alpha: float = param(
        0.0,
        "constant step size (0: sample averages; the gradient agent's step size)",
        lo=0.0,
        hi=1.0,
        live=True,
        when=agent_is("epsilon-greedy", "ucb", "softmax", "gradient"),
    )
    q_init: float = param(
        0.0,
        "initial estimates (5 for optimistic initial values)",
        lo=-10.0,
        hi=10.0,
        when=agent_is("epsilon-greedy", "ucb", "softmax"),
    )
    c: float = param(2.0, "UCB exploration weight", lo=0.0, hi=10.0, live=True, when=agent_is("ucb"))
    temperature: float = param(
        0.2, "softmax temperature", lo=0.01, hi=10.0, log=True, live=True, when=agent_is("softmax")
    )
    baseline: bool = param(True, "gradient agent: subtract the average reward", live=True, when=agent_is("gradient"))
    k: int = param(10, "arms", lo=2, hi=1000, group="advanced")
    mean: float = param(0.0, "mean of the true values q*(a) ~ N(mean, 1)", lo=-10.0, hi=10.0, group="advanced")
    walk_std: float = param(
        0.0, "std of the true values' random walk per step (0: stationary)", lo=0.0, hi=1.0, group="advanced"
    )
    runs: int = param(2000, "independent bandit problems averaged", lo=1, hi=100_000)
    steps: int = param(1000, "steps per run", lo=1, hi=1_000_000)
    seed: int = param(0, "random seed", lo=0)

    renamed: ClassVar[dict[str, str]] = {
        "schedule": "epsilon_schedule",
        "schedule_steps": "epsilon_duration",
        "decay": "epsilon_decay",
    }

    def memory_needed(self) -> tuple[int, str]:
        """Per agent Q, N and H over runs x arms, the true values and the working copies of a
        step, and every step's averages for the curves."""
        from workbench_plugins.bandit.agents import comparison

        agents = len(comparison(self))
        return (
            8 * self.runs * self.k * (3 * agents + 4) + 16 * agents * self.steps,
            f"{agents} agent(s) x {self.runs:,} runs x {self.k} arms",
        )

    def check(self) -> None:
        if self.agent == "gradient" and self.compare == "none" and self.alpha == 0.0:
            raise ValueError("alpha=0.0 gives the gradient agent no step size; set alpha > 0 (e.g. 0.1)")
