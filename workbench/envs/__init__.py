"""Workbench's own Gymnasium environments, registered under the ``workbench/`` namespace on import.

- ``workbench/WindyGridworld-v0``: Sutton & Barto, Example 6.5.
- ``workbench/MaximizationBias-v0``: Sutton & Barto, Example 6.7 (``n_actions`` in B).
- ``workbench/RandomWalk-v0``: Sutton & Barto, Example 6.2.
- ``workbench/EditableGrid-v0``: a grid written as text (``grid``, ``step_reward``, ``slip``);
  by default Russell & Norvig's 4x3 world.
- ``workbench/Gridworld4x4-v0``: Sutton & Barto's 4x4 grid, Example 4.1.
- ``workbench/RobotGrid-v0``: the 3x3 robot grid with headings of the course slides.
"""

from __future__ import annotations

import gymnasium as gym

from workbench.envs.text_grid import SUTTON_BARTO_4X4

ENVS = {
    "workbench/WindyGridworld-v0": ("workbench.envs.windy:WindyGridworld", None, {}),
    "workbench/MaximizationBias-v0": ("workbench.envs.max_bias:MaximizationBias", None, {}),
    "workbench/RandomWalk-v0": ("workbench.envs.random_walk:RandomWalk", None, {}),
    "workbench/EditableGrid-v0": ("workbench.envs.text_grid:TextGrid", 1000, {}),
    "workbench/Gridworld4x4-v0": (
        "workbench.envs.text_grid:TextGrid",
        1000,
        {"grid": SUTTON_BARTO_4X4, "step_reward": -1.0, "slip": 0.0},
    ),
    "workbench/RobotGrid-v0": ("workbench.envs.robot:RobotGrid", 100, {}),
}

for _id, (_entry, _limit, _kwargs) in ENVS.items():
    if _id not in gym.registry:
        gym.register(_id, entry_point=_entry, max_episode_steps=_limit, kwargs=_kwargs)
