"""Which key plays which action of an environment, so a person can feel a task before an agent
learns it.

Keys are named as Qt names them without the ``Key_`` prefix (``Left``, ``Space``), but nothing
here imports Qt: the panel turns a key press into a name and the trainer only ever sees the
action index. Grid worlds get the arrow that matches each move (read from their layout), the
classic-control tasks a fixed table, Atari games their own action meanings.
"""

from __future__ import annotations

import functools

import gymnasium as gym

from workbench.core.envs import register_all
from workbench.envs.layout import DOWN, LEFT, RIGHT, UP, layout_of

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
    spec_id = env.spec.id if env.spec is not None else ""
    if spec_id.startswith("ALE/"):
        return atari_keys(env.unwrapped.get_action_meanings())
    for prefix, keys in CLASSIC.items():
        if spec_id.startswith(prefix):
            return dict(keys)
    try:
        keys = grid_keys(env)
    except (TypeError, ValueError, AttributeError):
        return {}
    return {**keys, **TAXI_EXTRA} if spec_id.startswith("Taxi") else keys


def classic_action_names(env_id: str) -> tuple[str, ...]:
    """What each action of a classic-control task does, for labels; empty for the others."""
    return next((names for prefix, names in CLASSIC_NAMES.items() if env_id.startswith(prefix)), ())


@functools.cache
def key_map(env_id: str) -> dict[str, int]:
    """The keyboard map of ``env_id`` (made once and closed); empty for an unknown or unmappable one."""
    register_all()
    try:
        env = gym.make(env_id)
    except (gym.error.Error, ImportError):  # unknown, or needs a package not installed here
        return {}
    try:
        return keys_of(env)
    finally:
        env.close()
