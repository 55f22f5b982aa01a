"""MC and TD prediction and control on tabular worlds (Sutton & Barto, chapters 5 to 8).

Each algorithm of the comparison trains ``runs`` learners on independent seeds; every episode
index yields one snapshot whose curves are averages over the runs. Views show run 1 of the
first algorithm.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Generator

import gymnasium as gym
import numpy as np

from workbench.core.driver import RunContext
from workbench.core.envs import register_all
from workbench.core.images import fit_width, tile
from workbench.core.snapshot import Snapshot
from workbench.envs.layout import DOWN, LEFT, RIGHT, UP, GridLayout, layout_of
from workbench.envs.play import Player
from workbench.rl.dp import TabularModel, exact_values, random_policy
from workbench.rl.schedules import epsilon_at
from workbench.rl.value_image import value_image
from workbench_plugins.td_control.agents import Learner, Rates
from workbench_plugins.td_control.config import Config

# frames as wide as the panel shows them: a full CliffWalking frame (768x256) was most of the bytes sent to it
RENDER_WIDTH = 480
ARRAYS_EVERY_S = 0.1  # maps and frames at a rate a user can watch; curves get every episode
ARRAYS_SHARE = 0.15  # and drawing them never takes more than this share of the time


def make_env(cfg: Config) -> gym.Env:
    register_all()
    kwargs = {}
    if cfg.env == "FrozenLake-v1":
        kwargs["is_slippery"] = cfg.slippery
    if cfg.env == "workbench/EditableGrid-v0":
        kwargs.update(grid=cfg.grid, slip=cfg.slip, step_reward=cfg.step_reward)
    if gym.spec(cfg.env).max_episode_steps is None and cfg.step_limit > 0:
        kwargs["max_episode_steps"] = cfg.step_limit
    return gym.make(cfg.env, render_mode="rgb_array", **kwargs)


def true_values(env: gym.Env, gamma: float) -> tuple[np.ndarray, np.ndarray] | None:
    """v of the random policy and the non-terminal states, from the environment's model, for
    TD(0)'s error curve; None without a model or when the random policy never ends an episode."""
    if not hasattr(env.unwrapped, "P"):
        return None
    model = TabularModel.from_env(env)
    try:
        return exact_values(model, random_policy(model), gamma), ~model.terminal
    except np.linalg.LinAlgError:
        return None


def rates(cfg: Config, episode: int) -> Rates:
    eps = epsilon_at(cfg, episode)
    return Rates(eps, cfg.alpha, cfg.gamma, cfg.n, cfg.planning_steps)


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # seeding: learner i of algorithm j gets its own stream
    algos = cfg.algos()
    learners = {
        algo: [Learner(algo, make_env(cfg), seed=cfg.seed * 100_003 + i * 7919 + j) for i in range(cfg.runs)]
        for j, algo in enumerate(algos)
    }
    shown = learners[algos[0]][0]
    layout = layout_of(shown.env)
    max_bias = cfg.env == "workbench/MaximizationBias-v0"
    reference_at = functools.cache(lambda gamma: true_values(shown.env, gamma))  # recomputed when γ changes live
    start = 0
    if ctx.resume is not None:  # a checkpoint is taken between episodes: the run goes on exactly
        start = int(ctx.resume["episode"])
        for algo, states in zip(algos, ctx.resume["learners"], strict=True):
            for learner, state in zip(learners[algo], states, strict=True):
                learner.load_state_dict(state)
    done = start  # episodes finished: what a resumed run starts from
    ctx.keep_state(lambda: {"episode": done, "learners": [[x.state_dict() for x in learners[a]] for a in algos]})
    last_arrays, arrays_cost = 0.0, 0.0
    player = Player(lambda: make_env(cfg), "render", ctx.out_dir, seed=cfg.seed)  # a person at the keyboard
    try:
        for episode in range(start, cfg.episodes):
            # ALGO LOGIC: one episode for every learner, then the averages over runs
            now_rates = rates(cfg, episode)
            results = {algo: [] for algo in algos}
            for algo in algos:
                for x in learners[algo]:
                    if ctx.should_stop():  # many runs make one episode index long: stop between learners;
                        # once one has played this index no checkpoint is exact (the last one is kept)
                        ctx.checkpoint_ok = not any(results.values())
                        return
                    results[algo].append(x.run_episode(now_rates))
            scalars = {"epsilon": now_rates.epsilon}
            for k, algo in enumerate(algos):
                ran = results[algo]
                stats = {
                    "episode_return": np.mean([e.ret for e in ran]),
                    "episode_length": np.mean([e.length for e in ran]),
                }
                if max_bias:  # Figure 6.5: how often the first action from A was left
                    stats["pct_left"] = 100.0 * np.mean([e.first_action == 0 for e in ran])
                reference = reference_at(now_rates.gamma) if algo == "td0" else None
                if reference is not None:  # Example 6.2's RMS error over non-terminal states
                    v_true, live = reference
                    stats["rms_error"] = float(
                        np.mean([np.sqrt(np.mean((x.v - v_true)[live] ** 2)) for x in learners[algo]])
                    )
                if k == 0:
                    scalars.update(stats)
                if len(algos) > 1:
                    scalars.update({f"{key}/{algo}": value for key, value in stats.items()})
            # SNAPSHOT: maps of run 1 of the first algorithm, at a watchable rate
            arrays = {}
            now = time.perf_counter()
            if now - last_arrays > max(ARRAYS_EVERY_S, arrays_cost / ARRAYS_SHARE) or episode == cfg.episodes - 1:
                arrays = view_arrays(shown, layout, results[algos[0]][0].states, cfg.render)
                last_arrays = time.perf_counter()
                arrays_cost = last_arrays - now
            done = episode + 1
            yield Snapshot(done, scalars=scalars, arrays=arrays, progress=done / cfg.episodes)
            cfg = ctx.config
            player.handle(ctx.events())
            yield from player.hold(ctx, done)  # training waits while a person plays
    finally:
        ctx.save_array("q_values", shown.v[:, None] if shown.algo == "td0" else shown.estimate())
        ctx.save_array("visits", shown.visits)
        for x in (learner for group in learners.values() for learner in group):
            x.env.close()
        player.close()


def action_name_ids(layout: GridLayout) -> np.ndarray:
    """Each action's name in the Q-per-action view's ``labels``: its direction where it has one
    (up, right, down, left), else ``action a`` (4 + a)."""
    directions = [UP, RIGHT, DOWN, LEFT]
    ids = []
    for a in range(layout.arrows.shape[1]):
        moves = {tuple(v) for v in layout.arrows[:, a].tolist() if any(v)}
        move = moves.pop() if len(moves) == 1 else None
        ids.append(directions.index(move) if move in directions else 4 + a)
    return np.array(ids, dtype=np.int64)


def view_arrays(learner: Learner, layout: GridLayout, path: list[int], render: bool) -> dict[str, np.ndarray]:
    """max-Q (or V) with greedy arrows, Q per action, visits, a drawn value map and the frame."""
    q = learner.estimate()
    if learner.algo == "td0":
        per_state, arrows = learner.v, np.zeros((*layout.shape, 2), np.float32)
    else:
        masked = np.where(learner.legal, q, -np.inf)
        per_state = masked.max(axis=1)
        pointing = (learner.visits > 0) & ~learner.ended
        arrows = layout.paint(layout.arrows[np.arange(len(q)), masked.argmax(axis=1)] * pointing[:, None])
    values = layout.paint(per_state)
    unseen = layout.paint(learner.visits == 0, fill=1.0) > 0  # walls, cliff cells, unvisited states
    no_state = unseen | (layout.paint(learner.ended) > 0)  # ... and terminals: the maps mask them (NaN)
    arrays = {
        "values": np.where(no_state, np.nan, values).astype(np.float32),
        "greedy": arrows,
        "visits": np.where(no_state, np.nan, layout.paint(np.log10(1.0 + learner.visits))).astype(np.float32),
        "value_map": value_image(values, arrows, unseen, [tuple(layout.cells[s]) for s in path]),
    }
    if learner.algo != "td0":
        per_action = np.stack([np.where(no_state, np.nan, layout.paint(q[:, a])) for a in range(q.shape[1])])
        arrays["q_actions"] = tile(per_action, cols=min(q.shape[1], 2), pad=1, fill=np.nan)
        arrays["q_action_names"] = action_name_ids(layout)
    if render:
        arrays["render"] = fit_width(learner.env.render(), RENDER_WIDTH)
    return arrays
