"""Tabular Q-learning (Sutton & Barto, section 6.5), yielding once per episode."""

from __future__ import annotations

from collections.abc import Generator

import gymnasium as gym
import numpy as np

from workbench.core.driver import RunContext
from workbench.core.snapshot import Snapshot
from workbench_plugins.td_control.config import Config

# (dx, dy) on screen for the grid worlds' actions, y growing downwards
ARROWS = {
    "CliffWalking-v1": np.array([[0, -1], [1, 0], [0, 1], [-1, 0]], dtype=np.float32),  # up right down left
    "FrozenLake-v1": np.array([[-1, 0], [0, 1], [1, 0], [0, -1]], dtype=np.float32),  # left down right up
}


def grid_shape(env: gym.Env) -> tuple[int, int]:
    return tuple(int(v) for v in env.unwrapped.desc.shape) if hasattr(env.unwrapped, "desc") else (4, 12)


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, Config | None, None]:
    # seeding
    rng = np.random.default_rng(cfg.seed)
    env = gym.make(cfg.env, render_mode="rgb_array")
    env.action_space.seed(cfg.seed)
    n_states, n_actions = env.observation_space.n, env.action_space.n
    shape = grid_shape(env)
    q = np.zeros((n_states, n_actions))
    start = 0
    if ctx.resume is not None:
        q = ctx.resume["q"].numpy().copy()
        start = int(ctx.resume["episode"])
        rng.bit_generator.state = ctx.resume["rng"]
    episode = start
    ctx.keep_state(lambda: {"q": q, "episode": episode, "rng": rng.bit_generator.state})
    try:
        for episode in range(start, cfg.episodes):
            # ALGO LOGIC: one episode of Q-learning with an epsilon-greedy behaviour policy
            obs, _ = env.reset(seed=int(rng.integers(2**31)))
            ret, length, done = 0.0, 0, False
            while not done:
                if rng.random() < cfg.epsilon:
                    action = int(rng.integers(n_actions))
                else:
                    best = np.flatnonzero(q[obs] == q[obs].max())
                    action = int(rng.choice(best))
                nxt, reward, terminated, truncated, _ = env.step(action)
                target = reward + (0.0 if terminated else cfg.gamma * q[nxt].max())
                q[obs, action] += cfg.alpha * (target - q[obs, action])
                obs, ret, length = nxt, ret + reward, length + 1
                done = terminated or truncated
            # SNAPSHOT: plain floats and numpy copies
            arrays = {"q_max": q.max(axis=1).reshape(shape), "greedy": ARROWS[cfg.env][q.argmax(axis=1)].reshape(*shape, 2)}
            if cfg.render:
                arrays["render"] = env.render()
            new = yield Snapshot(
                episode + 1,
                scalars={"episode_return": ret, "episode_length": float(length), "epsilon": cfg.epsilon},
                arrays=arrays,
                progress=(episode + 1) / cfg.episodes,
            )
            if new is not None:
                cfg = new
        episode = cfg.episodes
    finally:
        ctx.save_array("q_values", q)
        env.close()
