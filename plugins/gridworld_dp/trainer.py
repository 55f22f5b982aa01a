"""Policy evaluation, policy iteration and value iteration (Sutton & Barto, chapter 4), one
snapshot per sweep so a paused run steps through the sweeps one at a time."""

from __future__ import annotations

import time
from collections.abc import Generator

import gymnasium as gym
import numpy as np

from workbench.core.driver import RunContext
from workbench.core.envs import register_all
from workbench.core.snapshot import Snapshot
from workbench.envs.layout import GridLayout, layout_of
from workbench.envs.text_grid import parse_grid
from workbench.rl.dp import (
    TabularModel,
    evaluation_sweep,
    greedy_actions,
    one_hot,
    q_values,
    random_policy,
    value_iteration_sweep,
)
from workbench.rl.value_image import value_image
from workbench_plugins.gridworld_dp.config import PAINTS, WORLDS, Config

WORLD_FIELDS = ("grid", "slip", "step_reward")  # changing these restarts the solution
IDLE_S = 0.1  # longest sleep between checks for a stop
FAST_ARRAYS_EVERY_S = 0.1  # with sweeps_per_s = 0, maps are drawn at this rate (and at the end)


def make_env(cfg: Config, grid: str) -> gym.Env:
    register_all()
    kwargs = dict(grid=grid, slip=cfg.slip, step_reward=cfg.step_reward) if cfg.world == "editable" else {}
    env = gym.make(WORLDS[cfg.world], render_mode="rgb_array", **kwargs)
    env.reset(seed=0)  # the frame shows the agent on its start cell
    return env


def painted(grid: str, col: int, row: int, paint: str) -> str:
    """``grid`` with the cell at ``col``, ``row`` painted; unchanged when the cell is off the grid
    or the result would be no valid world (say, the last reachable terminal walled in)."""
    cells = parse_grid(grid)
    if not (0 <= row < cells.shape[0] and 0 <= col < cells.shape[1]):
        return grid
    char = PAINTS[paint]
    if char == "S":
        cells[cells == "S"] = "."
    cells[row, col] = char
    edited = "/".join("".join(r) for r in cells)
    try:
        parse_grid(edited)
    except ValueError:
        return grid
    return edited


def fresh_start(model: TabularModel, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zero values, the equiprobable policy (policy iteration's first policy) and its greedy actions."""
    v = np.zeros(len(model.R))
    return v, random_policy(model), greedy_actions(q_values(model, v, gamma))


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    grid = cfg.grid
    env = make_env(cfg, grid)
    model, layout = TabularModel.from_env(env), layout_of(env)
    v, policy, actions = fresh_start(model, cfg.gamma)
    sweep, improvements, converged, shown_at = 0, 0, False, -np.inf
    if ctx.resume is not None:  # a sweep ends where the next can start exactly: the solution so far goes on
        if ctx.resume["grid"] != grid:  # cells painted during the run
            grid = ctx.resume["grid"]
            env.close()
            env = make_env(cfg, grid)
            model, layout = TabularModel.from_env(env), layout_of(env)
        v, policy, actions = (np.asarray(ctx.resume[key]).copy() for key in ("v", "policy", "actions"))
        sweep, improvements = int(ctx.resume["sweep"]), int(ctx.resume["improvements"])
        converged = bool(ctx.resume["converged"])
    ctx.keep_state(
        lambda: {
            "grid": grid,
            "v": v,
            "policy": policy,
            "actions": actions,
            "sweep": sweep,
            "improvements": improvements,
            "converged": converged,
        }
    )
    try:
        while sweep < cfg.max_sweeps:
            started = time.perf_counter()
            if converged:  # wait for an edit, or finish
                if not cfg.hold:
                    break
                time.sleep(IDLE_S)
                snap = Snapshot(sweep, progress=1.0)
            else:
                # ALGO LOGIC: one synchronous sweep
                if cfg.algo == "value-iteration":
                    new_v = value_iteration_sweep(model, v, cfg.gamma)
                else:
                    new_v = evaluation_sweep(model, policy, v, cfg.gamma)
                residual = float(np.abs(new_v - v).max())
                v = new_v
                q = q_values(model, v, cfg.gamma)
                if cfg.algo != "policy-iteration":
                    actions = greedy_actions(q)
                    converged = residual < cfg.theta
                elif residual < cfg.theta:  # policy iteration: evaluation done, improve the policy
                    new_actions = greedy_actions(q, keep=actions if improvements else None)
                    converged = improvements > 0 and bool((new_actions == actions).all())
                    actions, policy, improvements = new_actions, one_hot(new_actions, q.shape[1]), improvements + 1
                sweep += 1
                # SNAPSHOT: every sweep's maps during playback; as fast as possible, a watchable rate
                show = cfg.sweeps_per_s > 0 or converged or started - shown_at > FAST_ARRAYS_EVERY_S
                arrays = view_arrays(env, layout, model, v, actions) if show else {}
                shown_at = started if show else shown_at
                snap = Snapshot(
                    sweep,
                    scalars={"residual": residual},
                    arrays=arrays,
                    progress=1.0 if converged else sweep / cfg.max_sweeps,
                )
            yield snap
            throttle(cfg.sweeps_per_s, started, ctx)
            # painted cells and live changes: an edited world starts over; a new gamma or a finer theta sweeps on
            new, edited = ctx.config, grid
            if new.grid != cfg.grid:
                edited = new.grid
            for event in ctx.events():
                if event.name == "paint" and cfg.world == "editable":
                    edited = painted(edited, event.payload["col"], event.payload["row"], event.payload["cell"])
            if new is cfg and edited == grid:
                continue
            if cfg.world == "editable" and (
                edited != grid or any(getattr(new, f) != getattr(cfg, f) for f in WORLD_FIELDS)
            ):
                grid = edited
                env.close()
                env = make_env(new, grid)
                model, layout = TabularModel.from_env(env), layout_of(env)
                v, policy, actions = fresh_start(model, new.gamma)
                improvements, converged = 0, False
            elif new.gamma != cfg.gamma or new.theta < cfg.theta:
                converged = False
            cfg = new
    finally:
        ctx.save_array("values", layout.paint(v))
        ctx.save_array("policy", layout.paint(np.where(states_of(layout, model), actions, -1), fill=-1).astype(int))
        if cfg.world == "editable" and ctx.path("grid.txt") is not None:
            ctx.path("grid.txt").write_text(grid + "\n")
        env.close()


def throttle(sweeps_per_s: float, started: float, ctx: RunContext) -> None:
    """Sleep out the rest of this sweep's share of a second, waking for a stop."""
    if sweeps_per_s <= 0:
        return
    until = started + 1.0 / sweeps_per_s
    while not ctx.should_stop() and (left := until - time.perf_counter()) > 0:
        time.sleep(min(left, IDLE_S))


def view_arrays(
    env: gym.Env, layout: GridLayout, model: TabularModel, v: np.ndarray, actions: np.ndarray
) -> dict[str, np.ndarray]:
    """V on the canvas with the policy's arrows, the same drawn as an image, and the world's frame."""
    values = layout.paint(v)
    arrows = layout.paint(layout.arrows[np.arange(len(v)), actions] * states_of(layout, model)[:, None])
    no_state = layout.paint(~states_of(layout, model), fill=1.0) > 0  # walls and terminals: masked in the view
    return {
        "values": values,
        "value_cells": np.where(no_state, np.nan, values).astype(np.float32),
        "policy_arrows": arrows,
        "value_map": value_image(values, arrows, layout.blocked),
        "world": env.render(),
    }


def states_of(layout: GridLayout, model: TabularModel) -> np.ndarray:
    """(S,) the states a policy acts in: neither terminal nor a wall."""
    wall = np.zeros(len(model.terminal), bool)
    if layout.blocked is not None:
        wall = layout.blocked[layout.cells[:, 0], layout.cells[:, 1]]
    return ~model.terminal & ~wall
