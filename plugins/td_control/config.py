"""TD control settings: the algorithm (or several to compare), the world, and live rates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action
from workbench.core.config import Condition, Schema, one_of, param
from workbench.core.envs import check_env_id
from workbench.envs.play import PLAY_ACTIONS
from workbench.envs.text_grid import RUSSELL_NORVIG, parse_grid
from workbench.rl.schedules import SCHEDULES

ENVS = (
    "CliffWalking-v1",
    "FrozenLake-v1",
    "Taxi-v4",
    "workbench/WindyGridworld-v0",
    "workbench/MaximizationBias-v0",
    "workbench/RandomWalk-v0",
    "workbench/EditableGrid-v0",
)
ALGOS = ("q-learning", "sarsa", "expected-sarsa", "double-q", "n-step-sarsa", "dyna-q", "mc", "td0")
# the textbook comparisons, one click each: Example 6.6 (cliff), Example 6.7 (maximization bias), ...
COMPARISONS = (
    "none",
    "sarsa,q-learning",
    "q-learning,double-q",
    "sarsa,expected-sarsa,q-learning",
    "q-learning,dyna-q",
    "sarsa,n-step-sarsa",
    "mc,sarsa,q-learning",
)
EDITABLE = "workbench/EditableGrid-v0"


def trains(algo: str) -> Condition:
    """Applies when ``algo`` is trained, alone or in the comparison."""
    return Condition(
        f"{algo} is trained (algo or compare)",
        lambda c: algo in ([c.algo] if c.compare == "none" else c.compare.split(",")),
    )


DECAYING = Condition("epsilon_schedule is not constant", lambda c: c.epsilon_schedule != "constant")
# the worlds without an episode limit of their own
UNLIMITED = one_of(
    "env", "CliffWalking-v1", "workbench/WindyGridworld-v0", "workbench/MaximizationBias-v0", "workbench/RandomWalk-v0"
)


@dataclass
class Config(Schema):
    env: str = param("CliffWalking-v1", "environment", choices=ENVS)
    algo: str = param(
        "q-learning",
        "algorithm (mc: first-visit epsilon-soft Monte Carlo control; td0: TD(0) prediction of the random policy)",
        choices=ALGOS,
    )
    compare: str = param(
        "none", "algorithms trained side by side, overlaid on the curves (none: algo alone)", choices=COMPARISONS
    )
    episodes: int = param(500, "episodes to train", lo=1, hi=1_000_000)
    runs: int = param(1, "independent runs per algorithm; curves are their average", lo=1, hi=10_000)
    epsilon: float = param(
        0.1, "exploration rate of the epsilon-greedy policy (start of its schedule)", lo=0.0, hi=1.0, live=True
    )
    epsilon_schedule: str = param("constant", "how epsilon changes over the episodes", choices=SCHEDULES)
    epsilon_end: float = param(0.01, "epsilon at the end of a schedule", lo=0.0, hi=1.0, live=True, when=DECAYING)
    epsilon_duration: int = param(
        300,
        "episodes of the linear and sinusoidal schedules",
        lo=1,
        hi=1_000_000,
        when=one_of("epsilon_schedule", "linear", "sinusoidal"),
        group="advanced",
    )
    epsilon_decay: float = param(
        0.01,
        "per-episode rate of the exponential schedule",
        lo=0.0,
        hi=1.0,
        when=one_of("epsilon_schedule", "exponential"),
        group="advanced",
    )
    alpha: float = param(
        0.5, "step size of the updates (Monte Carlo control averages returns instead)", lo=0.0, hi=1.0, live=True
    )
    gamma: float = param(1.0, "discount factor", lo=0.0, hi=1.0, live=True)
    n: int = param(4, "steps of n-step SARSA", lo=1, hi=1000, when=trains("n-step-sarsa"))
    planning_steps: int = param(5, "Dyna-Q planning updates per real step", lo=0, hi=1000, when=trains("dyna-q"))
    step_limit: int = param(
        5000,
        "steps after which an episode is cut off, for worlds without a limit "
        "of their own (CliffWalking, windy gridworld); 0: never",
        lo=0,
        hi=10_000_000,
        when=UNLIMITED,
        group="advanced",
    )
    slippery: bool = param(True, "FrozenLake: the ice is slippery", when=one_of("env", "FrozenLake-v1"))
    grid: str = param(
        RUSSELL_NORVIG,
        "EditableGrid: rows separated by '/'; cells . floor, # wall, S start, T terminal, G goal (+1), X pit (-1)",
        when=one_of("env", EDITABLE),
    )
    slip: float = param(
        0.0, "EditableGrid: probability a move goes sideways", lo=0.0, hi=0.99, when=one_of("env", EDITABLE)
    )
    step_reward: float = param(
        -0.04, "EditableGrid: reward of every move", lo=-10.0, hi=10.0, when=one_of("env", EDITABLE)
    )
    render: bool = param(True, "send environment frames to the panel", live=True, group="advanced")
    seed: int = param(0, "random seed", lo=0)

    actions: ClassVar[tuple[Action, ...]] = PLAY_ACTIONS
    renamed: ClassVar[dict[str, str]] = {
        "schedule": "epsilon_schedule",
        "schedule_episodes": "epsilon_duration",
        "decay": "epsilon_decay",
    }

    def algos(self) -> list[str]:
        """The algorithms this run trains, in the order of the curves."""
        return [self.algo] if self.compare == "none" else self.compare.split(",")

    def check(self) -> None:
        check_env_id(self.env)
        if self.env == EDITABLE:
            parse_grid(self.grid)
        if "dyna-q" in self.algos() and self.planning_steps == 0:
            raise ValueError(
                "planning_steps=0 is not allowed for Dyna-Q (it would be plain Q-learning); "
                "choose planning_steps >= 1 or algo=q-learning"
            )
