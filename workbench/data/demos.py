"""A person's played episodes as a Minari dataset in the run folder, Farama's format for offline
RL, so demonstrations load in any tool that reads Minari (``minari.load_dataset``).

Minari finds datasets under ``MINARI_DATASETS_PATH`` (the home folder otherwise): every call here
points it at the run's ``demos/`` folder for its duration only, so nothing lands in the home folder.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import gymnasium as gym
import numpy as np

DATASET_ID = "workbench/play-v0"
FOLDER = "demos"


@contextlib.contextmanager
def datasets_at(run_dir: Path) -> Iterator[Path]:
    """Minari's datasets folder set to ``run_dir/demos`` while the block runs."""
    folder = Path(run_dir) / FOLDER
    before = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("MINARI_DATASETS_PATH")
        else:
            os.environ["MINARI_DATASETS_PATH"] = before


class Episode:
    """One played episode as it happens: the first observation, then one entry per step."""

    def __init__(self, first_obs: np.ndarray, seed: int | None) -> None:
        self.seed = seed
        self.observations = [first_obs]
        self.actions: list[int] = []
        self.rewards: list[float] = []
        self.terminations: list[bool] = []
        self.truncations: list[bool] = []

    def add(self, action: int, obs: np.ndarray, reward: float, terminated: bool, truncated: bool) -> None:
        self.actions.append(int(action))
        self.observations.append(obs)
        self.rewards.append(float(reward))
        self.terminations.append(bool(terminated))
        self.truncations.append(bool(truncated))


def save_episode(run_dir: Path, episode: Episode, env: gym.Env) -> int:
    """Add a finished episode to the run's demonstrations (the dataset is made by the first one);
    returns its episode id."""
    import minari
    from minari.data_collector import EpisodeBuffer

    with datasets_at(run_dir) as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Minari asks for a description and an eval env it does not need
        dataset = minari.load_dataset(DATASET_ID) if (folder / DATASET_ID).is_dir() else None
        index = dataset.total_episodes if dataset is not None else 0
        buffer = EpisodeBuffer(
            id=index,
            seed=episode.seed,
            observations=list(episode.observations),
            actions=list(episode.actions),
            rewards=list(episode.rewards),
            terminations=list(episode.terminations),
            truncations=list(episode.truncations),
            infos={},
        )
        if dataset is not None:
            dataset.update_dataset_from_buffer([buffer])
        else:
            minari.create_dataset_from_buffers(
                DATASET_ID,
                [buffer],
                env=env,
                algorithm_name="person",
                description="episodes played by a person with the keyboard",
            )
    return index


def open_demos(run_dir: Path):
    """The run's demonstrations as a ``MinariDataset``, whichever environment they were played in;
    None when there are none."""
    import minari

    with datasets_at(run_dir) as folder:
        if not (folder / DATASET_ID).is_dir():
            return None
        return minari.load_dataset(DATASET_ID)


def played_in(dataset) -> str:
    """The id of the environment a dataset's episodes were played in."""
    return dataset.spec.env_spec.id if dataset.spec.env_spec is not None else "an unknown environment"


def load_demos(run_dir: Path, env_id: str):
    """The run's demonstrations as a ``MinariDataset``; ValueError (one line) when there are none
    or they were played in another environment than ``env_id``."""
    dataset = open_demos(run_dir)
    folder = Path(run_dir) / FOLDER
    if dataset is None:
        raise ValueError(f"no demonstrations in {folder}: play an episode first")
    played = played_in(dataset)
    if played != env_id:
        raise ValueError(f"the demonstrations in {folder} were played in {played}, not {env_id}")
    return dataset
