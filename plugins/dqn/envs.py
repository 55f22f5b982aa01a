"""Environments for Deep Q-learning: vector environments to train in, a single one to evaluate and record.

Atari training uses ale-py's C++ vector env (frame skip 4 with max-pooling, grayscale, resize,
no-op starts), which steps several times faster than Gymnasium's wrapper chain. It returns
single frames; the frame stack is kept here (``FrameStack``) so acting and replay rebuild
observations the same way. Evaluation and recording use Gymnasium's ``AtariPreprocessing`` on a
single env because it can also render the colour screen.
"""

from __future__ import annotations

import functools
import os

import gymnasium as gym
import numpy as np

from workbench.core.envs import check_env_id, register_all


def atari_game(env_id: str) -> str:
    """ale-py's ROM name of a registered ALE id, e.g. ALE/SpaceInvaders-v5 -> space_invaders."""
    return gym.spec(env_id).kwargs["game"]


def check_env(env_id: str) -> None:
    """Raise ValueError when ``env_id`` is unknown, an Atari ROM is missing, or the env is not one
    a Q-network can learn (a flat observation vector and discrete actions)."""
    check_env_id(env_id)
    if env_id.startswith("ALE/"):
        check_rom(env_id)
    else:
        _check_spaces(env_id)


def check_rom(env_id: str) -> None:
    from ale_py import roms

    game = atari_game(env_id)
    where = os.environ.get("ALE_ROMS_DIR") or os.path.dirname(roms.__file__)
    try:
        path = roms.get_rom_path(game)
    except OSError as exc:
        raise ValueError(f"the ROM of {env_id!r} ({game}.bin in {where}) cannot be used: {exc}") from None
    if path is None:
        raise ValueError(f"ale-py has no ROM {game!r} for {env_id!r}")


@functools.cache
def _check_spaces(env_id: str) -> None:
    env = gym.make(env_id)
    obs_space, act_space = env.observation_space, env.action_space
    env.close()
    if (
        not isinstance(act_space, gym.spaces.Discrete)
        or not isinstance(obs_space, gym.spaces.Box)
        or len(obs_space.shape) != 1
    ):
        raise ValueError(
            f"{env_id!r} has observations {obs_space} and actions {act_space}; Deep Q-learning "
            "here needs a flat Box observation and Discrete actions (CartPole-v1) or an ALE/ game"
        )


def frame_hw(frame_size: str) -> tuple[int, int]:
    h, w = frame_size.split("x")
    return int(h), int(w)


def make_train_env(cfg) -> gym.vector.VectorEnv:
    """``cfg.num_envs`` environments in lockstep with next-step autoreset; Atari yields single frames."""
    register_all()
    if not cfg.atari:
        return gym.make_vec(cfg.env, num_envs=cfg.num_envs, vectorization_mode="sync", render_mode="rgb_array")
    from ale_py.vector_env import AtariVectorEnv

    h, w = frame_hw(cfg.frame_size)
    threads, offset = ale_threads(cfg.num_envs)
    return AtariVectorEnv(
        atari_game(cfg.env),
        cfg.num_envs,
        stack_num=1,
        img_height=h,
        img_width=w,
        frameskip=4,
        maxpool=True,
        noop_max=cfg.noop_max,
        reward_clipping=False,
        repeat_action_probability=0.0,
        use_fire_reset=False,
        num_threads=threads,
        thread_affinity_offset=offset,
    )


def ale_threads(num_envs: int) -> tuple[int, int]:
    """ale-py's worker threads: one per usable core, each pinned to its core when this process may
    use every core of the machine. Unpinned threads on a 2-core machine swung between 4,300 and
    5,700 steps/s from run to run; pinned ones held 5,660-5,680."""
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or 1))
    pinnable = cpus == set(range(os.cpu_count() or 1))  # ale-py pins thread i to core offset + i
    return min(num_envs, len(cpus)), 0 if pinnable else -1


def make_eval_env(cfg) -> gym.Env:
    """One environment that renders RGB frames, preprocessed like the training env."""
    register_all()
    if not cfg.atari:
        return gym.make(cfg.env, render_mode="rgb_array")
    h, w = frame_hw(cfg.frame_size)
    env = gym.make(cfg.env, frameskip=1, repeat_action_probability=0.0, render_mode="rgb_array")
    return gym.wrappers.AtariPreprocessing(
        env, noop_max=cfg.noop_max, frame_skip=4, screen_size=(w, h), grayscale_obs=True
    )


def frames_of(obs: np.ndarray, atari: bool) -> np.ndarray:
    """The newest frame of each env's observation: (N, H, W) for Atari, the state (N, D) otherwise."""
    return obs[:, -1] if atari else obs


class FrameStack:
    """The last ``stack`` frames of each of ``num_envs`` envs, zeros before an episode's first frame
    (what ``ReplayBuffer.stacked`` rebuilds from stored frames)."""

    def __init__(self, num_envs: int, stack: int, frame_shape: tuple[int, ...], dtype: type) -> None:
        self.obs = np.zeros((num_envs, stack, *frame_shape), dtype=dtype)

    def push(self, frames: np.ndarray, first: np.ndarray) -> np.ndarray:
        self.obs[first] = 0
        self.obs[:, :-1] = self.obs[:, 1:]
        self.obs[:, -1] = frames
        return self.obs
