"""One stored episode of a run, step by step, as the run's policy of that time judges it: the
episode replay view's input (the plugin's ``replay`` hook).

The episodes are the run's recorded episodes and the person's demonstrations
(``workbench.data.episodes``); the networks are those of the checkpoint kept at or before the step
the episode was played. The bars show pi(a|s_t) for every action; the TD error of step t is the
critic's, r_t + gamma (1 - terminated_t) V(s_{t+1}) - V(s_t). Frames are rendered again from the
stored states.
"""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

from workbench.core.config import from_dict
from workbench.data.episodes import EpisodeEntry, Review, judging_checkpoint, load_episode
from workbench.envs.keys import classic_action_names
from workbench.envs.redraw import frames_of
from workbench_plugins.policy_gradient.config import SEARCHES, Config
from workbench_plugins.policy_gradient.model import Policy, Value


def review(run_dir: Path, entry: EpisodeEntry) -> Review:
    """Episode ``entry`` as the checkpoint of its time judges it; ValueError (one line) when it
    cannot be shown."""
    payload, source = judging_checkpoint(run_dir, entry, "policy-gradient")
    cfg = from_dict(Config, payload["config"])
    if cfg.algo in SEARCHES:
        raise ValueError(f"{cfg.algo} keeps linear weights, not action probabilities: replay shows reinforce, a2c, ppo")
    nets = payload["state"]["agent"]
    if not nets:
        raise ValueError(f"{source} holds no policy")
    if "log_std" in nets["policy"]:
        raise ValueError(f"{cfg.env} has continuous actions: there are no probabilities per action to show")
    episode = load_episode(entry)
    if episode.env != cfg.env:
        raise ValueError(f"played in {episode.env}, not {cfg.env}")
    obs = torch.as_tensor(episode.observations, dtype=torch.float32)
    policy = Policy(obs.shape[1], cfg.hidden, n_actions=len(nets["policy"]["net.4.bias"]))
    policy.load_state_dict(nets["policy"])
    value = Value(obs.shape[1], cfg.hidden)
    value.load_state_dict(nets["value"])
    with torch.no_grad():
        probs = policy.dist(obs[:-1]).probs.numpy()
        v = value(obs).numpy()
    rewards = episode.rewards.astype(np.float32)
    td_errors = rewards + cfg.gamma * (1.0 - episode.terminations.astype(np.float32)) * v[1:] - v[:-1]
    return Review(
        values=probs,
        actions=episode.actions.astype(np.int64),
        rewards=rewards,
        frames=frames_of(gym.make(cfg.env, render_mode="rgb_array"), episode.observations[:-1]),
        td_errors=td_errors.astype(np.float32),
        value_label="π(a|s)",
        source=source,
        action_names=classic_action_names(cfg.env),
    )
