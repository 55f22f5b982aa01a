"""One recorded episode of a run, step by step, as the run's checkpointed network judges it: what
the episode replay view scrubs through.

The episodes are the person's demonstrations (the run's Minari dataset); the network is the
online Q-network of the run's checkpoint. The TD error of step t is
r_t + gamma (1 - terminated_t) max_a Q(s_{t+1}, a) - Q(s_t, a_t), with the online network on both
sides (the one-step error the plain DQN target is built from). Frames are rendered again from the
recorded states, so classic-control runs only: Atari observations are preprocessed stacks.
"""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

from workbench.core.checkpoint import load_checkpoint
from workbench.core.config import from_dict
from workbench.data.demos import load_demos
from workbench_plugins.dqn.config import Config
from workbench_plugins.dqn.model import QNetwork


def frames_of(env_id: str, states: np.ndarray) -> np.ndarray:
    """Each recorded state drawn by the environment (its state set back, then rendered)."""
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    try:
        frames = []
        for s in states:
            env.unwrapped.state = np.array(s, dtype=np.float64)
            frames.append(env.render())
        return np.stack(frames)
    finally:
        env.close()


def review(run_dir: Path, episode: int = 0) -> dict[str, np.ndarray]:
    """Per step of demonstration ``episode``: ``frames`` (T, H, W, 3), ``q_values`` (T, A),
    ``actions``, ``rewards`` and ``td_errors`` (T,); ValueError (one line) when it cannot be shown."""
    payload = load_checkpoint(run_dir, "dqn")
    cfg = from_dict(Config, payload["config"])
    if cfg.atari:
        raise ValueError(f"{cfg.env}: the episode replay shows classic-control runs only")
    demos = load_demos(run_dir, cfg.env)
    if not 0 <= episode < demos.total_episodes:
        raise ValueError(f"episode {episode} is not recorded; the run has {demos.total_episodes}")
    ep = next(iter(demos.iterate_episodes([episode])))
    states = np.asarray(ep.observations, dtype=np.float32)
    net = QNetwork((1, states.shape[1]), int(demos.action_space.n), cfg.hidden, cfg.algo.startswith("dueling"))
    net.load_state_dict(payload["state"]["online"])
    with torch.no_grad():
        q = net(torch.as_tensor(states[:, None])).numpy()
    actions, rewards = np.asarray(ep.actions, dtype=np.int64), np.asarray(ep.rewards, dtype=np.float32)
    steps = np.arange(len(actions))
    bootstrap = (1.0 - np.asarray(ep.terminations, dtype=np.float32)) * q[1:].max(axis=1)
    td_errors = rewards + cfg.gamma * bootstrap - q[steps, actions]
    return {
        "frames": frames_of(cfg.env, states[:-1]),
        "q_values": q[:-1],
        "actions": actions,
        "rewards": rewards,
        "td_errors": td_errors.astype(np.float32),
    }
