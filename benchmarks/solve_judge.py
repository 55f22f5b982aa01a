"""One judge for "time to solve CartPole" benchmarks against stable-baselines3.

Both sides are judged alike: a greedy evaluation of 10 episodes every 2,000 environment steps; the
task is solved at the first evaluation averaging >= 475, and the run goes on for 20,000 steps more,
where at least 90% of the evaluations must stay >= 475 (one lucky evaluation does not count). The
clocks (wall and process CPU) run from building the agent to the solving evaluation and stop while
any evaluation plays, so neither side's evaluation cost counts. The sides alternate which goes first
seed by seed, and the verdict is the ratio of the median times over seeds (a run that never solves
counts as infinitely slow).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import gymnasium as gym
import numpy as np

SOLVED = 475.0
EVAL_EVERY = 2_000
EVAL_EPISODES = 10
HOLD_STEPS = 20_000
HOLD_SHARE = 0.9


class Judge:
    """The evaluations of one run and its clocks, paused while an evaluation plays."""

    def __init__(self) -> None:
        self.evals: list[tuple[int, float]] = []
        self.solved_at: int | None = None
        self.seconds = self.cpu = math.inf
        self.start()

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Whatever runs inside does not count on the clocks."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self._wall += time.perf_counter() - wall
            self._cpu += time.process_time() - cpu

    def record(self, step: int, mean_return: float) -> None:
        self.evals.append((step, mean_return))
        if self.solved_at is None and mean_return >= SOLVED:
            self.solved_at = step
            self.seconds, self.cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu

    def finished(self, step: int) -> bool:
        """True once the run has gone HOLD_STEPS past its solving evaluation."""
        return self.solved_at is not None and step >= self.solved_at + HOLD_STEPS

    @property
    def held(self) -> float:
        """Share of the evaluations in the HOLD_STEPS after solving that stayed solved (nan: none)."""
        if self.solved_at is None:
            return math.nan
        after = [r for s, r in self.evals if self.solved_at < s <= self.solved_at + HOLD_STEPS]
        return float(np.mean([r >= SOLVED for r in after])) if after else math.nan

    def line(self) -> str:
        if self.solved_at is None:
            return f"not solved ({len(self.evals)} evaluations, best {max((r for _, r in self.evals), default=0):.0f})"
        return (
            f"solved at {self.solved_at:6d} in {self.seconds:6.1f} s wall {self.cpu:6.1f} s CPU, "
            f"then {self.held:4.0%} solved"
        )


def greedy_return(act: Callable[[np.ndarray], int], env: gym.Env, episodes: int = EVAL_EPISODES) -> float:
    """Mean return of ``episodes`` episodes of ``act`` (a greedy policy) in ``env``."""
    total = 0.0
    for _ in range(episodes):
        obs, _ = env.reset()
        done = False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(obs))
            total += float(reward)
            done = terminated or truncated
    return total / episodes


def compare(
    seeds: list[int], ours: Callable[[int], Judge], theirs: Callable[[int], Judge], name: str = "stable-baselines3"
) -> None:
    """Run both sides on every seed, alternating which goes first, and print the verdict."""
    rows = []
    for i, seed in enumerate(seeds):
        if i % 2 == 0:
            a, b = ours(seed), theirs(seed)
        else:
            b, a = theirs(seed), ours(seed)
        print(f"seed {seed}: ours {a.line()} | {name} {b.line()}", flush=True)
        rows.append((a, b))
    for side, pick in (("ours", 0), (name, 1)):
        judges = [row[pick] for row in rows]
        held = [j.held >= HOLD_SHARE for j in judges if j.solved_at is not None]
        print(
            f"{side}: solved {len(held)}/{len(judges)}, stayed solved {sum(held)}/{len(held)}, "
            f"median {statistics.median(j.seconds for j in judges):.1f} s wall, "
            f"{statistics.median(j.cpu for j in judges):.1f} s CPU, "
            f"median solving step {statistics.median(j.solved_at or math.inf for j in judges)}"
        )
    for clock in ("seconds", "cpu"):
        mine = statistics.median(getattr(a, clock) for a, _ in rows)
        theirs_ = statistics.median(getattr(b, clock) for _, b in rows)
        label = "wall" if clock == "seconds" else "CPU"
        print(f"median time to solve, ours / {name} ({label}): {mine / theirs_:.2f}")
