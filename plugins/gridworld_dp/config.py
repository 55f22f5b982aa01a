"""Dynamic programming settings: the world, the algorithm, live gamma and theta, grid edits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action, payload
from workbench.core.config import Schema, one_of, param
from workbench.envs.text_grid import RUSSELL_NORVIG, parse_grid

WORLDS = {
    "4x4": "workbench/Gridworld4x4-v0",  # Sutton & Barto, Example 4.1
    "robot": "workbench/RobotGrid-v0",  # 3x3 grid, four headings, turn left / turn right / forward
    "editable": "workbench/EditableGrid-v0",  # the grid below, edited by clicking cells
}
ALGOS = ("policy-evaluation", "policy-iteration", "value-iteration")
PAINTS = {"wall": "#", "floor": ".", "start": "S", "terminal": "T", "goal": "G", "pit": "X"}
EDITABLE = one_of("world", "editable")


@dataclass
class Config(Schema):
    world: str = param(
        "4x4",
        "4x4 (Sutton & Barto's grid), robot (3x3 with headings), editable (the grid below)",
        choices=tuple(WORLDS),
    )
    algo: str = param(
        "policy-evaluation",
        "policy-evaluation (of the equiprobable random policy), policy-iteration, value-iteration",
        choices=ALGOS,
    )
    gamma: float = param(1.0, "discount factor", lo=0.0, hi=1.0, live=True)
    theta: float = param(
        1e-4, "stop when no value changes by more than this in a sweep", lo=1e-10, hi=1.0, log=True, live=True
    )
    sweeps_per_s: float = param(
        10.0, "playback speed: sweeps per second (0: as fast as possible)", lo=0.0, hi=1000.0, live=True
    )
    max_sweeps: int = param(
        10_000, "give up after this many sweeps (gamma = 1 may never converge)", lo=1, hi=10_000_000
    )
    hold: bool = param(False, "after converging, wait for edits (clicks, gamma, theta) instead of finishing", live=True)
    grid: str = param(
        RUSSELL_NORVIG,
        "editable world: rows separated by '/'; cells . floor, # wall, S start, T terminal, G goal (+1), X pit (-1)",
        live=True,
        when=EDITABLE,
    )
    slip: float = param(
        0.2, "editable world: probability a move goes sideways", lo=0.0, hi=0.99, live=True, when=EDITABLE
    )
    step_reward: float = param(
        -0.04, "editable world: reward of every move", lo=-10.0, hi=10.0, live=True, when=EDITABLE
    )

    actions: ClassVar[tuple[Action, ...]] = (
        Action(
            "paint",
            "Paint a cell",
            (
                payload("col", int, 0, "column of the cell", lo=0),
                payload("row", int, 0, "row of the cell", lo=0),
                payload("cell", str, "wall", "what to put there", choices=tuple(PAINTS)),
            ),
            help="editable world: put a wall, floor, start, terminal, goal or pit in a cell "
            "(a click on the value map does it)",
        ),
    )

    def check(self) -> None:
        if self.world == "editable":
            parse_grid(self.grid)
