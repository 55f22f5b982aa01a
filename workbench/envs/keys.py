"""Which key plays which action of an environment, so a person can feel a task before an agent
learns it.

Keys are named as Qt names them without the ``Key_`` prefix (``Left``, ``Space``), but nothing
here imports Qt: the panel turns a key press into a name and the trainer only ever sees the
action index. Grid worlds get the arrow that matches each move (read from their layout), the
classic-control tasks a fixed table, Atari games their own action meanings.

Grid worlds are turn-based: each key press is one step. The classic-control tasks and Atari run
in real time (``steps_per_second``) with the action of the key held, and ``idle_action`` while
none is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import gymnasium as gym

from workbench.core.envs import register_all
from workbench.envs.layout import DOWN, LEFT, RIGHT, UP, layout_of

T = TypeVar("T")
ARROWS = {UP: "Up", RIGHT: "Right", DOWN: "Down", LEFT: "Left"}
CLASSIC = {
    "CartPole": {"Left": 0, "Right": 1},
    "Acrobot": {"Left": 0, "Down": 1, "Right": 2},
    "MountainCar": {"Left": 0, "Down": 1, "Right": 2},
}
CLASSIC_NAMES = {
    "CartPole": ("push left", "push right"),
    "Acrobot": ("torque -1", "torque 0", "torque +1"),
    "MountainCar": ("push left", "no push", "push right"),
}
CLASSIC_IDLE = {"CartPole": 0, "Acrobot": 1, "MountainCar": 1}
"""While no key is held: no torque, no push; CartPole has no such action and pushes left, as
``gymnasium.utils.play`` does with its default ``noop=0``."""
ATARI = {"NOOP": "Down", "FIRE": "Space", "UP": "Up", "RIGHT": "Right", "LEFT": "Left", "DOWN": "Down"}
TAXI_EXTRA = {"P": 4, "D": 5}  # pick up, drop off


def grid_keys(env: gym.Env) -> dict[str, int]:
    """Each arrow key to the action that moves that way in every state where it moves at all."""
    layout = layout_of(env)
    keys = {}
    for a in range(layout.arrows.shape[1]):
        moves = {tuple(v) for v in layout.arrows[:, a].tolist() if any(v)}
        if len(moves) == 1 and (move := moves.pop()) in ARROWS:
            keys[ARROWS[move]] = a
    return keys


def atari_keys(meanings: list[str]) -> dict[str, int]:
    """Arrows and Space from the game's own action meanings (``RIGHTFIRE`` and the like stay
    unmapped); Down plays NOOP in games without a DOWN."""
    keys = {ATARI[m]: a for a, m in enumerate(meanings) if m in ATARI and m != "NOOP"}
    if "NOOP" in meanings:
        keys.setdefault("Down", meanings.index("NOOP"))
    return keys


def keys_of(env: gym.Env) -> dict[str, int]:
    """The keyboard map of a made environment; empty when it has none (continuous actions)."""
    if not isinstance(env.action_space, gym.spaces.Discrete):
        return {}
    if _atari(env):
        return atari_keys(env.unwrapped.get_action_meanings())
    if (task := _classic(env)) is not None:
        return dict(CLASSIC[task])
    spec_id = env.spec.id if env.spec is not None else ""
    try:
        keys = grid_keys(env)
    except (TypeError, ValueError, AttributeError):
        return {}
    return {**keys, **TAXI_EXTRA} if spec_id.startswith("Taxi") else keys


def _classic(env: gym.Env) -> str | None:
    """The classic-control task ``env`` is (its id's prefix), or None."""
    spec_id = env.spec.id if env.spec is not None else ""
    return next((prefix for prefix in CLASSIC if spec_id.startswith(prefix)), None)


def _atari(env: gym.Env) -> bool:
    return env.spec is not None and env.spec.id.startswith("ALE/")


def frames_per_step(env: gym.Env) -> float:
    """Emulator frames an Atari agent step spans: ALE's own frame skip (the mean of a random
    one) times a preprocessing wrapper's."""
    skip = env.unwrapped._frameskip
    frames = sum(skip) / len(skip) if isinstance(skip, tuple) else float(skip)
    return frames * (env.get_wrapper_attr("frame_skip") if env.has_wrapper_attr("frame_skip") else 1)


def steps_per_second(env: gym.Env) -> float | None:
    """The rate a real-time game steps at at full speed: its ``render_fps``, per agent step for
    Atari; None for a turn-based one (a grid world steps once per key press)."""
    if not isinstance(env.action_space, gym.spaces.Discrete):
        return None
    fps = float(env.metadata.get("render_fps", 30))
    if _atari(env):
        return fps / frames_per_step(env)
    return fps if _classic(env) is not None else None


def idle_action(env: gym.Env) -> int:
    """The action a real-time game plays while no key is held: Atari's NOOP, or the task's
    ``CLASSIC_IDLE``."""
    if _atari(env):
        meanings = env.unwrapped.get_action_meanings()
        return meanings.index("NOOP") if "NOOP" in meanings else 0
    return CLASSIC_IDLE.get(_classic(env) or "", 0)


def classic_action_names(env_id: str) -> tuple[str, ...]:
    """What each action of a classic-control task does, for labels; empty for the others."""
    return next((names for prefix, names in CLASSIC_NAMES.items() if env_id.startswith(prefix)), ())


def _of_made(env_id: str, read: Callable[[gym.Env], T], otherwise: T) -> T:
    """``read`` of ``env_id`` made once and closed; ``otherwise`` for an unknown one."""
    register_all()
    try:
        env = gym.make(env_id)
    except (gym.error.Error, ImportError):  # unknown, or needs a package not installed here
        return otherwise
    try:
        return read(env)
    finally:
        env.close()


@functools.cache
def key_map(env_id: str) -> dict[str, int]:
    """The keyboard map of ``env_id``; empty for an unknown or unmappable one."""
    return _of_made(env_id, keys_of, {})


@functools.cache
def real_time(env_id: str) -> bool:
    """Whether ``env_id`` is played in real time (a key held acts until released)."""
    return _of_made(env_id, steps_per_second, None) is not None
