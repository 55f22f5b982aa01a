"""TD control settings."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, param
from workbench.core.envs import check_env_id

GRID_ENVS = ("CliffWalking-v1", "FrozenLake-v1")


@dataclass
class Config(Schema):
    env: str = param("CliffWalking-v1", "Gymnasium environment id", choices=GRID_ENVS)
    episodes: int = param(500, "episodes to train", lo=1, hi=1_000_000)
    epsilon: float = param(0.1, "exploration rate of the epsilon-greedy policy", lo=0.0, hi=1.0, live=True)
    alpha: float = param(0.5, "step size of the tabular update", lo=0.0, hi=1.0, live=True)
    gamma: float = param(1.0, "discount factor", lo=0.0, hi=1.0, live=True)
    render: bool = param(True, "send environment frames to the panel", live=True)
    seed: int = param(0, "random seed", lo=0)

    def check(self) -> None:
        check_env_id(self.env)
