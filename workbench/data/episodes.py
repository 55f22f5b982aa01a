"""Episodes kept for replay: every episode a run played that a person may want to step through
again, with the step of the run at which it was played.

A trainer writes its greedy evaluations and recorded episodes as ``episodes/<kind>-step-<S>.npz``
in the run folder (observations o_0..o_T, and per step the action, reward and termination);
the person's demonstrations are the run's Minari dataset. ``list_episodes`` finds both and
``load_episode`` reads either back as a ``StoredEpisode``. A plugin's ``replay`` hook turns one
into a ``Review``: what the network of that time made of each step, which the replay view shows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.checkpoint import HISTORY_DIR, CheckpointError, checkpoint_at, checkpoint_file, load_checkpoint
from workbench.core.paths import write_json
from workbench.data.demos import Episode, open_demos, played_in

FOLDER = "episodes"
DEMO_STEPS = f"{FOLDER}/demonstrations.json"
KIND_NAMES = {"greedy": "greedy evaluation", "recorded": "recorded episode", "demonstration": "demonstration"}


@dataclass(frozen=True)
class EpisodeEntry:
    """One episode a run folder holds, named without loading it."""

    kind: str  # greedy, recorded or demonstration
    step: int | None  # the run's step when it was played; None where it was not kept
    path: Path  # the .npz, or the run folder of a demonstration
    index: int = 0  # the demonstration's episode id in the Minari dataset

    @property
    def label(self) -> str:
        name = KIND_NAMES.get(self.kind, self.kind)
        if self.kind == "demonstration":
            return f"{name} {self.index}" + ("" if self.step is None else f" at step {self.step}")
        return f"{name} at step {self.step}"


@dataclass(frozen=True)
class StoredEpisode:
    """What was played: ``observations`` (T+1, ...), and ``actions``, ``rewards``,
    ``terminations`` (T,), in environment ``env``."""

    env: str
    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminations: np.ndarray


@dataclass(frozen=True)
class Review:
    """One episode as a network judged it, step by step: the replay view's input.

    ``values`` (T, A) are the network's value of each action (``value_label`` says which: Q, or
    the policy's probability); ``frames`` T images (H, W[, 3]) uint8 (an array, or a sequence
    that draws each when indexed), or None where none can be drawn;
    ``td_errors`` (T,) or None; ``source`` says which checkpoint computed them;
    ``action_names`` name the actions (their numbers where empty).
    """

    values: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    frames: Sequence[np.ndarray] | None
    td_errors: np.ndarray | None
    value_label: str
    source: str
    action_names: tuple[str, ...] = ()

    def action_name(self, action: int) -> str:
        return self.action_names[action] if action < len(self.action_names) else str(action)


def save_episode_npz(run_dir: Path, episode: Episode, kind: str, step: int, env: str) -> Path:
    """Write ``episode`` to the run's episodes folder (atomically); a second one of the same kind
    at the same step gets a numbered name."""
    folder = Path(run_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{kind}-step-{step:09d}"
    path, n = folder / f"{stem}.npz", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.npz"
    tmp = folder / f".{path.stem}.tmp.npz"
    np.savez_compressed(
        tmp,
        env=np.array(env),
        step=np.array(step),
        observations=np.asarray(episode.observations),
        actions=np.asarray(episode.actions, dtype=np.int64),
        rewards=np.asarray(episode.rewards, dtype=np.float32),
        terminations=np.asarray(episode.terminations, dtype=bool),
    )
    os.replace(tmp, path)
    return path


def note_demo_step(run_dir: Path, index: int, step: int) -> None:
    """Keep the run's step at which demonstration ``index`` was played (Minari has no field for
    it): ``episodes/demonstrations.json`` maps each id to its step."""
    path = Path(run_dir) / DEMO_STEPS
    steps = _demo_steps(run_dir)
    steps[str(index)] = int(step)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, steps, indent=None)


def _demo_steps(run_dir: Path) -> dict[str, int]:
    path = Path(run_dir) / DEMO_STEPS
    try:
        steps: dict[str, int] = json.loads(path.read_text())
        return steps
    except (OSError, ValueError):
        return {}


def list_episodes(run_dir: Path) -> list[EpisodeEntry]:
    """The run's stored episodes in the order they were played, then its demonstrations."""
    run_dir = Path(run_dir)
    entries = []
    for path in sorted((run_dir / FOLDER).glob("*-step-*.npz")):
        kind, _, rest = path.stem.partition("-step-")
        entries.append(EpisodeEntry(kind, int(rest.split("-")[0]), path))
    entries.sort(key=lambda e: e.step or 0)
    demos = open_demos(run_dir)
    if demos is not None:
        steps = _demo_steps(run_dir)
        entries += [EpisodeEntry("demonstration", steps.get(str(i)), run_dir, i) for i in range(demos.total_episodes)]
    return entries


def load_episode(entry: EpisodeEntry) -> StoredEpisode:
    """Read back what ``entry`` names; ValueError (one line) when it is not there."""
    if entry.kind == "demonstration":
        demos = open_demos(entry.path)
        if demos is None or not 0 <= entry.index < demos.total_episodes:
            count = 0 if demos is None else demos.total_episodes
            raise ValueError(f"demonstration {entry.index} is not recorded; the run has {count}")
        ep = next(iter(demos.iterate_episodes([entry.index])))
        return StoredEpisode(
            played_in(demos),
            np.asarray(ep.observations),
            np.asarray(ep.actions),
            np.asarray(ep.rewards),
            ep.terminations,
        )
    if not entry.path.is_file():
        raise ValueError(f"no episode at {entry.path}")
    with np.load(entry.path) as f:
        return StoredEpisode(
            str(f["env"]), f["observations"], f["actions"], f["rewards"], f["terminations"].astype(bool)
        )


def judging_checkpoint(run_dir: Path, entry: EpisodeEntry, plugin_id: str) -> tuple[dict[str, Any], str]:
    """The checkpoint of the time ``entry`` was played (the newest kept at or before its step) and
    words saying which; the run's last checkpoint, said so, where none that early was kept or the
    step is unknown. CheckpointError when the run has none."""
    path, why = checkpoint_file(run_dir), ""
    if entry.step is not None:
        try:
            path = checkpoint_at(run_dir, entry.step)
        except CheckpointError:
            why = f" (none was kept by step {entry.step})"
    else:
        why = " (the episode keeps no step)"
    payload = load_checkpoint(path, plugin_id)
    if path.parent.name == HISTORY_DIR:
        return payload, f"the checkpoint at step {payload.get('step')}"
    return payload, f"the run's last checkpoint, at step {payload.get('step')}{why}"
