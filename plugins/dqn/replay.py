"""Experience replay that stores every frame once, with n-step returns and optional prioritised sampling.

Each environment of a vector env writes to its own ring of ``capacity // num_envs`` slots. Slot ``t``
holds the newest frame of observation ``t`` and what happened after it: the action, the reward
and whether the transition terminated. The next observation is slot ``t + 1``, and a stacked
observation is rebuilt from slots ``t - stack + 1 .. t``, with zeros before an episode's first
frame. Frames are never copied into "state" and "next state" stacks, so 200,000 Atari
transitions take 200,000 84x84 bytes (1.4 GB) rather than 8x that as float stacks.

With Gymnasium's next-step autoreset, the step after an episode's last observation only resets:
its slot keeps the final frame (the bootstrap state of the transition before it) and is marked
not ``valid``, so it is never sampled as the start of a transition.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.rl.sum_tree import SumTree


@dataclass
class Batch:
    """A sampled batch: numpy arrays ready to become tensors."""

    obs: np.ndarray  # (B, *obs_shape) observation at t
    actions: np.ndarray  # (B,) action taken at t
    returns: np.ndarray  # (B,) n-step discounted reward sum
    discounts: np.ndarray  # (B,) gamma**m, or 0 when the episode terminated within the m steps
    next_obs: np.ndarray  # (B, *obs_shape) observation at t + m, bootstrapped from
    weights: np.ndarray  # (B,) importance-sampling weights (ones for uniform replay)
    index: np.ndarray  # (B,) flat slot ids, for priority updates


class ReplayBuffer:
    """Per-environment rings of single frames.

    Args:
        capacity: transitions kept in total (split evenly over ``num_envs`` rings).
        frame_shape: shape of one frame, e.g. (84, 84) or CartPole's (4,).
        frame_dtype: np.uint8 for images, np.float32 for state vectors.
        num_envs: environments writing in lockstep.
        stack: frames per observation (observation shape is (stack, *frame_shape) when stack > 1).
        n_step: steps summed in a return before bootstrapping.
        prioritized: proportional prioritised replay (Schaul et al. 2016) instead of uniform.
        alpha: priority exponent of prioritised replay.
        eps: added to |TD error| so no transition gets priority 0.

    Raises:
        ValueError: when a ring is too short to hold a stacked observation and its n-step future.
    """

    def __init__(
        self,
        capacity: int,
        frame_shape: tuple[int, ...],
        frame_dtype: type,
        num_envs: int = 1,
        stack: int = 1,
        n_step: int = 1,
        prioritized: bool = False,
        alpha: float = 0.6,
        eps: float = 1e-6,
        seed: int = 0,
    ) -> None:
        self.ring = capacity // num_envs
        if self.ring < stack + n_step + 1:
            raise ValueError(
                f"replay of {capacity} transitions over {num_envs} environments is too small "
                f"for stack={stack} and n_step={n_step}; use at least {(stack + n_step + 1) * num_envs}"
            )
        self.num_envs, self.stack, self.n_step = num_envs, stack, n_step
        self.frame_shape = tuple(frame_shape)
        shape = (num_envs, self.ring)
        self.frames = np.zeros(shape + self.frame_shape, dtype=frame_dtype)
        self.actions = np.zeros(shape, dtype=np.int16)
        self.rewards = np.zeros(shape, dtype=np.float32)
        self.terminated = np.zeros(shape, dtype=bool)
        self.valid = np.zeros(shape, dtype=bool)  # an action was taken here: a transition starts here
        self.first = np.zeros(shape, dtype=bool)  # first frame of an episode: older frames are zeros
        self.count = 0  # slots written per ring so far
        self.prioritized, self.alpha, self.eps = prioritized, alpha, eps
        self.tree = SumTree(num_envs * self.ring) if prioritized else None
        self.max_priority = 1.0
        self.rng = np.random.default_rng(seed)

    # ---- sizes ----
    @property
    def capacity(self) -> int:
        return self.num_envs * self.ring

    @property
    def nbytes(self) -> int:
        """Bytes of every array the buffer holds, allocated or not yet touched."""
        arrays = (self.frames, self.actions, self.rewards, self.terminated, self.valid, self.first)
        return sum(a.nbytes for a in arrays) + (self.tree.nbytes if self.tree is not None else 0)

    def __len__(self) -> int:
        """Transitions that can be sampled now."""
        lo, hi = self._bounds()
        return max(hi - lo + 1, 0) * self.num_envs

    def _bounds(self) -> tuple[int, int]:
        """Oldest and newest logical slot a sampled transition may start at: its frame stack must
        still be in the ring and its n-step future must already be written."""
        return max(self.count - self.ring + self.stack - 1, 0), self.count - 1 - self.n_step

    # ---- keeping across runs ----
    STORED = ("frames", "actions", "rewards", "terminated", "valid", "first")

    def save(self, path: Path) -> None:
        """Write the slots written so far (and the priorities) to ``path``, an .npz, atomically:
        to a temporary file renamed over it, so a crash leaves the previous file whole."""
        path = Path(path)
        n = min(self.count, self.ring)
        arrays = {name: getattr(self, name)[:, :n] for name in self.STORED}
        if self.tree is not None:
            arrays["tree"] = self.tree.nodes
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with tmp.open("wb") as f:
                np.savez(f, count=self.count, max_priority=self.max_priority, **arrays)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def saved_count(path: Path) -> int:
        """How many slots per ring the replay saved at ``path`` had written."""
        with np.load(path) as saved:
            return int(saved["count"])

    def load(self, path: Path) -> None:
        """Fill this (empty) buffer from a file ``save`` wrote; ValueError when its shapes differ."""
        with np.load(path) as saved:
            n = min(int(saved["count"]), self.ring)
            for name in self.STORED:
                if saved[name].shape != getattr(self, name)[:, :n].shape:
                    raise ValueError(
                        f"{path} holds {name} of shape {saved[name].shape}, not "
                        f"{getattr(self, name)[:, :n].shape}: it was saved with other replay settings"
                    )
                getattr(self, name)[:, :n] = saved[name]
            if (self.tree is None) != ("tree" not in saved.files):
                raise ValueError(f"{path} was saved with {'uniform' if self.tree is None else 'prioritised'} replay")
            if self.tree is not None:
                self.tree.nodes[:] = saved["tree"]
            self.count, self.max_priority = int(saved["count"]), float(saved["max_priority"])

    # ---- writing ----
    def add(
        self,
        frame: np.ndarray,
        action: np.ndarray,
        reward: np.ndarray,
        terminated: np.ndarray,
        valid: np.ndarray,
        first: np.ndarray,
    ) -> None:
        """Write one slot per environment: observation t's newest frame and what followed it."""
        s = self.count % self.ring
        self.frames[:, s] = frame
        self.actions[:, s] = action
        self.rewards[:, s] = reward
        self.terminated[:, s] = terminated
        self.valid[:, s] = valid
        self.first[:, s] = first
        if self.tree is not None:
            self._refresh_priorities()
        self.count += 1

    def _refresh_priorities(self) -> None:
        """Zero the slots that stop being sampleable with this write; give the one that becomes
        sampleable the highest priority so far (new transitions are replayed at least once)."""
        c, envs = self.count, np.arange(self.num_envs)[:, None]
        lost = np.arange(c - self.ring, c - self.ring + self.stack)  # overwritten, or stack lost
        lost = lost[lost >= 0] % self.ring
        if lost.size:
            self.tree.update((envs * self.ring + lost).ravel(), 0.0)
        ready = c - self.n_step
        if ready >= 0 and ready >= c - self.ring + self.stack:
            slot = ready % self.ring
            priority = np.where(self.valid[:, slot], self.max_priority**self.alpha, 0.0)
            self.tree.update(envs[:, 0] * self.ring + slot, priority)

    def update_priorities(self, index: np.ndarray, td_error: np.ndarray) -> None:
        priority = np.abs(td_error) + self.eps
        self.max_priority = max(self.max_priority, float(priority.max()))
        self.tree.update(index, priority**self.alpha)

    # ---- reading ----
    def stacked(self, env: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Observations at logical slots ``t`` of rings ``env``: (B, stack, *frame) or (B, *frame)."""
        if self.stack == 1:
            return self.frames[env, t % self.ring]
        ids = (t[:, None] + np.arange(1 - self.stack, 1)) % self.ring  # oldest .. newest
        obs = self.frames[env[:, None], ids]
        first = self.first[env[:, None], ids]
        # a frame is blank when an episode starts after it, i.e. some newer frame is a first one
        newer_first = np.logical_or.accumulate(first[:, ::-1], axis=1)[:, ::-1]
        blank = np.zeros_like(first)
        blank[:, :-1] = newer_first[:, 1:]
        obs[blank] = 0
        return obs

    def n_step_return(self, env: np.ndarray, t: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sum of up to n discounted rewards from slot t, stopping at an episode's end.

        Returns (returns, discounts, next_t): the bootstrap is ``discounts * max Q(obs[next_t])``;
        a discount of 0 means the episode terminated, so there is nothing to bootstrap from.
        """
        returns = np.zeros(t.shape, dtype=np.float64)
        scale = np.ones(t.shape, dtype=np.float64)
        steps = np.zeros(t.shape, dtype=np.int64)
        alive = np.ones(t.shape, dtype=bool)
        done = np.zeros(t.shape, dtype=bool)
        for k in range(self.n_step):
            s = (t + k) % self.ring
            returns += np.where(alive, scale * self.rewards[env, s], 0.0)
            scale = np.where(alive, scale * gamma, scale)
            steps += alive
            term = self.terminated[env, s]
            done |= alive & term
            alive &= ~(term | ~self.valid[env, (t + k + 1) % self.ring])  # stop at a terminal or a final frame
        discounts = np.where(done, 0.0, scale)
        return returns.astype(np.float32), discounts.astype(np.float32), t + steps

    def sample(self, batch_size: int, gamma: float, beta: float = 1.0, batches: int = 1) -> Batch:
        """A batch of n-step transitions, uniform or by priority (with weights normalised to max 1).

        With ``batches`` > 1, that many uniform batches drawn at once, one after the other in the
        arrays; prioritised batches depend on the priorities each update leaves, so they come one by one.
        """
        if len(self) < batch_size:
            raise ValueError(f"replay holds {len(self)} transitions, fewer than batch_size={batch_size}")
        lo, hi = self._bounds()
        if self.tree is None:
            env, t = self._sample_uniform(batch_size * batches, lo, hi)
            weights = np.ones(batch_size * batches, dtype=np.float32)
        elif batches == 1:
            env, t, weights = self._sample_prioritized(batch_size, lo, hi, beta)
        else:
            raise ValueError(f"prioritised replay draws one batch at a time, not batches={batches}")
        returns, discounts, next_t = self.n_step_return(env, t, gamma)
        return Batch(
            self.stacked(env, t),
            self.actions[env, t % self.ring].astype(np.int64),
            returns,
            discounts,
            self.stacked(env, next_t),
            weights,
            env * self.ring + t % self.ring,
        )

    def _sample_uniform(self, n: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        env = self.rng.integers(self.num_envs, size=n)
        t = self.rng.integers(lo, hi + 1, size=n)
        for _ in range(100):  # redraw the rare slots that only hold an episode's final frame
            bad = ~self.valid[env, t % self.ring]
            if not bad.any():
                break
            env[bad] = self.rng.integers(self.num_envs, size=int(bad.sum()))
            t[bad] = self.rng.integers(lo, hi + 1, size=int(bad.sum()))
        return env, t

    def _sample_prioritized(self, n: int, lo: int, hi: int, beta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        total = self.tree.total
        mass = (np.arange(n) + self.rng.random(n)) * (total / n)  # one draw per equal-mass stratum
        index = self.tree.find(mass)
        for _ in range(100):  # rounding can land on a zero-priority leaf: redraw those
            bad = self.tree.get(index) <= 0
            if not bad.any():
                break
            index[bad] = self.tree.find(self.rng.random(int(bad.sum())) * total)
        prob = self.tree.get(index) / total
        weights = (len(self) * prob) ** (-beta)
        env, slot = np.divmod(index, self.ring)
        # logical slot from the ring position: the newest copy not after hi
        t = hi - (hi - slot) % self.ring
        return env, t, (weights / weights.max()).astype(np.float32)
