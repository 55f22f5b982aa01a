"""Collect frames from a Gymnasium or Atari environment into the image-set format."""

from __future__ import annotations

import numpy as np

from workbench.data.arrays import resize, set_channels, to_nchw


def collect_frames(
    env_id: str, n: int = 1000, size: int | None = 64, channels: int = 3, seed: int = 0, every: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Play random actions and keep every ``every``-th rendered frame: float32 (n, C, size, size)
    in [0, 1] and labels holding the episode index of each frame.

    Example:
        >>> frames, episodes = collect_frames("CartPole-v1", n=4, size=32)
        >>> frames.shape
        (4, 3, 32, 32)

    Raises:
        ValueError: an unknown environment id or one that cannot render rgb_array frames.
    """
    import gymnasium as gym

    from workbench.core.envs import check_env_id

    check_env_id(env_id)
    if n < 1 or every < 1:
        raise ValueError(f"n={n!r} and every={every!r} must both be at least 1")
    env = gym.make(env_id, render_mode="rgb_array")
    env.action_space.seed(seed)
    frames, episodes = [], []
    try:
        episode, t = 0, 0
        env.reset(seed=seed)
        while len(frames) < n:
            if t % every == 0:
                frame = env.render()
                if frame is None or np.ndim(frame) != 3:
                    raise ValueError(f"{env_id!r} renders no rgb_array frames")
                frames.append(frame)
                episodes.append(episode)
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            t += 1
            if terminated or truncated:
                episode += 1
                env.reset(seed=seed + episode)
    finally:
        env.close()
    images = resize(to_nchw(np.stack(frames), env_id), size)
    return set_channels(images, channels, seed), np.asarray(episodes, np.int64)
