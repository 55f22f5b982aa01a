"""One stored episode of a run, step by step, as the run's network of that time judges it: what
the episode replay view scrubs through (the plugin's ``replay`` hook).

The episodes are the run's greedy evaluations, its recorded episodes and the person's
demonstrations (``workbench.data.episodes``); the network is the online Q-network of the
checkpoint kept at or before the step the episode was played. The TD error of step t is
r_t + gamma (1 - terminated_t) max_a Q(s_{t+1}, a) - Q(s_t, a_t), with the online network on both
sides (the one-step error the plain DQN target is built from). Classic-control frames are
rendered again from the stored states; Atari frames are the stored preprocessed screens.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from workbench.core.config import from_dict
from workbench.data.episodes import EpisodeEntry, Review, judging_checkpoint, load_episode
from workbench.envs.keys import classic_action_names
from workbench.envs.redraw import frames_of
from workbench_plugins.dqn.config import Config
from workbench_plugins.dqn.envs import make_eval_env
from workbench_plugins.dqn.model import QNetwork

CHUNK = 256  # observations per forward pass: a long Atari episode never sits in memory stacked


def q_values(net: QNetwork, observations: np.ndarray, stack: int) -> np.ndarray:
    """Q of every observation, each stacked with the ``stack - 1`` before it (zeros before the
    first, as the trainer's ``FrameStack`` does)."""
    pad = np.zeros((stack - 1, *observations.shape[1:]), observations.dtype)
    padded = np.concatenate([pad, observations])
    out = []
    with torch.no_grad():
        for start in range(0, len(observations), CHUNK):
            t = np.arange(start, min(start + CHUNK, len(observations)))
            out.append(net(torch.as_tensor(padded[t[:, None] + np.arange(stack)])).numpy())
    return np.concatenate(out)


def action_names(cfg: Config) -> tuple[str, ...]:
    """An Atari game's own action meanings; the classic-control tasks' names."""
    if not cfg.atari:
        return classic_action_names(cfg.env)
    env = make_eval_env(cfg)
    try:
        return tuple(env.unwrapped.get_action_meanings())
    finally:
        env.close()


def review(run_dir: Path, entry: EpisodeEntry) -> Review:
    """Episode ``entry`` as the checkpoint of its time judges it; ValueError (one line) when it
    cannot be shown."""
    payload, source = judging_checkpoint(run_dir, entry, "dqn")
    cfg = from_dict(Config, payload["config"])
    episode = load_episode(entry)
    if episode.env != cfg.env:
        raise ValueError(f"played in {episode.env}, not {cfg.env}")
    state = payload["state"]["online"]
    dueling = cfg.algo.startswith("dueling")
    stack = cfg.frame_stack if cfg.atari else 1
    obs = episode.observations
    net = QNetwork(
        (stack, *obs.shape[1:]), len(state["advantage.2.bias" if dueling else "q.2.bias"]), cfg.hidden, dueling
    )
    net.load_state_dict(state)
    q = q_values(net, obs, stack)
    actions, rewards = episode.actions.astype(np.int64), episode.rewards.astype(np.float32)
    bootstrap = (1.0 - episode.terminations.astype(np.float32)) * q[1:].max(axis=1)
    td_errors = rewards + cfg.gamma * bootstrap - q[np.arange(len(actions)), actions]
    return Review(
        values=q[:-1],
        actions=actions,
        rewards=rewards,
        frames=obs[:-1] if cfg.atari else frames_of(make_eval_env(cfg), obs[:-1]),
        td_errors=td_errors.astype(np.float32),
        value_label="Q",
        source=source,
        action_names=action_names(cfg),
    )
