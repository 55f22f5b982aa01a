"""A person's played episode in a grid world, step by step, as the run's table of that time
judges it: the episode replay view's input (the plugin's ``replay`` hook).

The table is the one the maps show, run 1 of the first algorithm, from the checkpoint kept at or
before the episode was played (Double Q-learning: the mean of its two estimates). The TD error of
step t is Q-learning's, r_t + gamma (1 - terminated_t) max_a Q(s_{t+1}, a) - Q(s_t, a_t). Frames
are the world drawn again at each stored state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.core.config import from_dict
from workbench.data.episodes import EpisodeEntry, Review, judging_checkpoint, load_episode
from workbench.envs.keys import key_map
from workbench.envs.redraw import frames_of
from workbench_plugins.td_control.config import Config
from workbench_plugins.td_control.trainer import make_env


def review(run_dir: Path, entry: EpisodeEntry) -> Review:
    """Episode ``entry`` as the table of its time judges it; ValueError (one line) when it cannot
    be shown."""
    payload, source = judging_checkpoint(run_dir, entry, "td-control")
    cfg = from_dict(Config, payload["config"])
    algo = cfg.algos()[0]
    if algo == "td0":
        raise ValueError("td0 learns state values, not action values: replay shows the control algorithms")
    episode = load_episode(entry)
    if episode.env != cfg.env:
        raise ValueError(f"played in {episode.env}, not {cfg.env}")
    table = payload["state"]["learners"][0][0]
    q = np.asarray(table["q"], dtype=np.float64)
    if algo == "double-q":
        q = (q + np.asarray(table["q2"], dtype=np.float64)) / 2
    s = episode.observations.astype(np.int64)
    actions, rewards = episode.actions.astype(np.int64), episode.rewards.astype(np.float32)
    bootstrap = (1.0 - episode.terminations.astype(np.float64)) * q[s[1:]].max(axis=1)
    td_errors = rewards + cfg.gamma * bootstrap - q[s[:-1], actions]
    keys = {a: k for k, a in key_map(cfg.env).items()}
    return Review(
        values=q[s[:-1]].astype(np.float32),
        actions=actions,
        rewards=rewards,
        frames=frames_of(make_env(cfg), s[:-1]),
        td_errors=td_errors.astype(np.float32),
        value_label="Q",
        source=source,
        action_names=tuple(keys.get(a, str(a)) for a in range(q.shape[1])),
    )
