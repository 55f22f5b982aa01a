"""The policy-gradient lab: runs one method for ``runs`` independent runs and reports curves, the
policy and value over a state slice, the environment, and how many episodes each run needed.

Searches run all their runs side by side (one env lane each); gradient methods run them one
after another. A run ends at its first solved episode when ``runs`` > 1 or the method is a
search, otherwise after its budget, so a single gradient run can be watched holding its solution.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path

import gymnasium as gym
import numpy as np

from workbench.core.driver import RunContext
from workbench.core.recorder import AnimationWriter
from workbench.core.seeding import rng_state, seed_everything, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data.demos import Episode
from workbench.data.episodes import save_episode_npz
from workbench.envs.play import Player
from workbench_plugins.policy_gradient.actor_critic import ActorCritic
from workbench_plugins.policy_gradient.config import SEARCHES, Config
from workbench_plugins.policy_gradient.environments import INFO, SLICE_CELLS, slice_axes, slice_extent, slice_states
from workbench_plugins.policy_gradient.ppo import PPO
from workbench_plugins.policy_gradient.reinforce import Reinforce
from workbench_plugins.policy_gradient.search import LinearSearch

GRADIENT_METHODS = {"reinforce": Reinforce, "a2c": ActorCritic, "ppo": PPO}
SEARCH_LANES = 1000  # searches run at most this many runs side by side
FRAME_S = 1 / 30
SLICE_S = 0.25


def record_episode(env_id: str, act, path, seed: int, step: int) -> float:
    """Play one episode of ``act`` into a GIF at ``path``; returns its return. With discrete
    actions the episode is also kept for replay in the GIF's run folder, as played at ``step``."""
    writer = AnimationWriter(path, fps=30)
    with gym.make(env_id, render_mode="rgb_array") as env:
        obs, _ = env.reset(seed=seed)
        kept = Episode(np.asarray(obs), seed) if isinstance(env.action_space, gym.spaces.Discrete) else None
        writer.add(env.render())
        total, done = 0.0, False
        try:
            while not done:
                action = act(obs)
                obs, reward, terminated, truncated, _ = env.step(action)
                if kept is not None:
                    kept.add(int(action), np.asarray(obs), float(reward), terminated, truncated)
                writer.add(env.render())
                total += float(reward)
                done = terminated or truncated
        finally:
            writer.close()
    if kept is not None:
        save_episode_npz(Path(path).parent, kept, "recorded", step, env_id)
    return total


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # TRY NOT TO MODIFY: seeding
    seed_everything(cfg.seed, cfg.threads)
    search = cfg.algo in SEARCHES
    stop_at_solve = search or cfg.runs > 1
    target = INFO[cfg.env].solved_return
    states = slice_states(cfg.env)
    display = gym.make(cfg.env, render_mode="rgb_array")
    display_obs, _ = display.reset(seed=cfg.seed)
    needed: list[int] = []  # episodes each finished run needed (never solved: the budget)
    solved: list[int] = []  # the same, for the runs that solved
    step, run, last_frame, last_slice, recorded = 0, 0, 0.0, 0.0, 0
    record_asked = False
    player = Player(
        lambda: gym.make(cfg.env, render_mode="rgb_array"), "render", ctx.out_dir, seed=cfg.seed
    )  # a person at the keys
    resume = ctx.resume
    if resume is not None:
        step, run = int(resume["step"]), int(resume["run"])
        needed, solved = [int(n) for n in resume["needed"]], [int(n) for n in resume["solved"]]
    agent, run_steps = None, 0
    episodes = solved_at = np.zeros(0, dtype=np.int64)  # per lane of the current runs
    counted = np.zeros(0, dtype=bool)
    ctx.keep_state(
        lambda: {
            "step": step,
            "run": run,
            "needed": needed,
            "solved": solved,
            "episodes": episodes,
            "solved_at": solved_at,
            "counted": counted,
            "run_steps": run_steps,
            "agent": agent.state_dict() if agent is not None else {},
            "rng": rng_state(),
        }
    )
    try:
        while run < cfg.runs:
            lanes = min(cfg.runs - run, SEARCH_LANES) if search else 1
            seed = cfg.seed + 7919 * run
            agent = LinearSearch(cfg, lanes, seed) if search else GRADIENT_METHODS[cfg.algo](cfg, seed, ctx.device)
            episodes = np.zeros(lanes, dtype=np.int64)
            solved_at = np.zeros(lanes, dtype=np.int64)  # 0: not solved yet
            counted = np.zeros(lanes, dtype=bool)  # its result is in the histogram
            run_steps = 0
            if resume is not None and resume["agent"]:
                agent.load_state_dict(resume["agent"])
                episodes, solved_at = resume["episodes"].numpy().copy(), resume["solved_at"].numpy().copy()
                counted, run_steps = resume["counted"].numpy().copy(), int(resume["run_steps"])
                set_rng_state(resume["rng"])  # the episodes under way restart in their environments
            resume = None
            active = ~counted
            while active.any():
                # ALGO LOGIC: one chunk of work of the method, then count the episodes of each run
                update = agent.update(cfg)
                step += update.steps
                run_steps += update.steps
                returns, lengths = [], []
                for lane, ret, length in update.episodes:
                    r = lane if search else 0
                    if not active[r]:
                        continue
                    episodes[r] += 1
                    returns.append(ret)
                    lengths.append(length)
                    if ret >= target and solved_at[r] == 0:
                        solved_at[r] = episodes[r]
                        active[r] &= not stop_at_solve
                    active[r] &= episodes[r] < cfg.episodes
                if not search and run_steps >= cfg.steps:
                    active[:] = False
                scalars = dict(update.scalars)
                if returns:
                    scalars["episode_return"] = float(np.mean(returns))
                    scalars["episode_return/min"] = float(np.min(returns))
                    scalars["episode_return/max"] = float(np.max(returns))
                    scalars["episode_length"] = float(np.mean(lengths))
                arrays = {}
                ended = ~active & ~counted
                if ended.any():
                    counted |= ended
                    needed += [int(n) if n else cfg.episodes for n in solved_at[ended]]
                    solved += [int(n) for n in solved_at[ended] if n]
                    scalars["never_solved"] = 1.0 - len(solved) / len(needed)
                    if solved:
                        scalars["episodes_to_solve"] = float(np.mean(solved))
                    if cfg.runs > 1:  # one run's count is no distribution: the view stays hidden
                        arrays["episodes_needed"] = np.asarray(needed, dtype=np.float32)

                # SNAPSHOT: the policy and value over the state slice, the environment playing
                now = time.perf_counter()
                if now - last_slice > SLICE_S or not active.any():
                    last_slice = now
                    arrays["policy_slice"] = agent.policy_map(states).reshape(SLICE_CELLS, SLICE_CELLS)
                    arrays["slice_extent"], arrays["slice_axes"] = slice_extent(cfg.env), slice_axes(cfg.env)
                    value = agent.value_map(states)
                    if value is not None:
                        arrays["value_slice"] = value.reshape(SLICE_CELLS, SLICE_CELLS)
                if cfg.render and now - last_frame > FRAME_S:
                    last_frame = now
                    display_obs, _, terminated, truncated, _ = display.step(agent.act(display_obs))
                    if terminated or truncated:
                        display_obs, _ = display.reset()
                    arrays["render"] = display.render()
                if record_asked and ctx.out_dir is not None:
                    record_asked, recorded = False, recorded + 1
                    scalars["recorded_return"] = record_episode(
                        cfg.env, agent.act, ctx.path(f"episode_{recorded}.gif"), seed=cfg.seed + recorded, step=step
                    )
                progress = run + (counted.sum() if search else min(run_steps / cfg.steps, 1.0))
                yield Snapshot(step, scalars=scalars, arrays=arrays, progress=float(progress) / cfg.runs)
                cfg = ctx.config
                events = player.handle(ctx.events())
                events += yield from player.hold(ctx, step)  # training waits while a person plays
                record_asked |= any(event.name == "record" for event in events)
            agent.close()
            agent = None
            run += lanes
    finally:
        if needed:
            ctx.save_array("episodes_needed", np.asarray(needed))
        if agent is not None:
            agent.close()
        display.close()
        player.close()
