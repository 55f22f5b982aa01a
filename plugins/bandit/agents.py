"""Bandit agents vectorised over runs: every array has one row per independent bandit problem."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.rl.schedules import epsilon_at
from workbench_plugins.bandit.config import Config


@dataclass(frozen=True)
class AgentSpec:
    """One agent of the testbed: its rule and settings, and the label its curves carry."""

    label: str
    kind: str = "epsilon-greedy"  # or ucb, softmax, gradient
    epsilon: float = 0.0
    epsilon_schedule: str = "constant"
    epsilon_end: float = 0.0
    epsilon_duration: int = 1
    epsilon_decay: float = 0.0
    alpha: float = 0.0  # 0: sample averages
    q_init: float = 0.0
    c: float = 2.0
    temperature: float = 1.0
    baseline: bool = True

    def epsilon_at(self, t: int) -> float:
        return epsilon_at(self, t)


def comparison(cfg: Config) -> list[AgentSpec]:
    """The agents of ``cfg.compare``: the book's figures, or the one agent the settings describe."""
    if cfg.compare == "epsilon":  # Figure 2.2
        return [AgentSpec(f"eps={e:g}", epsilon=e) for e in (0.0, 0.01, 0.1)]
    if cfg.compare == "optimistic":  # Figure 2.3
        return [
            AgentSpec("Q1=5 eps=0", epsilon=0.0, alpha=0.1, q_init=5.0),
            AgentSpec("Q1=0 eps=0.1", epsilon=0.1, alpha=0.1),
        ]
    if cfg.compare == "ucb":  # Figure 2.4
        return [AgentSpec("ucb c=2", kind="ucb", c=2.0), AgentSpec("eps=0.1", epsilon=0.1)]
    if cfg.compare == "gradient":  # Figure 2.5
        return [
            AgentSpec(f"alpha={a:g}{'' if b else ' no-baseline'}", kind="gradient", alpha=a, baseline=b)
            for b in (True, False)
            for a in (0.1, 0.4)
        ]
    if cfg.compare == "step-size":  # Exercise 2.5 (with walk_std > 0)
        return [AgentSpec("sample-average", epsilon=0.1), AgentSpec("alpha=0.1", epsilon=0.1, alpha=0.1)]
    if cfg.compare == "softmax":
        return [AgentSpec(f"tau={t:g}", kind="softmax", temperature=t) for t in (0.1, 0.3, 1.0)]
    if cfg.compare == "schedules":  # the slides' epsilon schedules
        return [AgentSpec("constant", epsilon=0.1)] + [
            AgentSpec(
                kind,
                epsilon=1.0,
                epsilon_schedule=kind,
                epsilon_end=0.01,
                epsilon_duration=cfg.steps // 2,
                epsilon_decay=0.01,
            )
            for kind in ("linear", "exponential", "sinusoidal")
        ]
    return [single(cfg)]


def single(cfg: Config) -> AgentSpec:
    """The agent the individual settings describe (its label names its rule)."""
    label = {
        "epsilon-greedy": f"eps={cfg.epsilon:g}",
        "ucb": f"ucb c={cfg.c:g}",
        "softmax": f"tau={cfg.temperature:g}",
        "gradient": f"alpha={cfg.alpha:g}",
    }[cfg.agent]
    return AgentSpec(
        label,
        cfg.agent,
        cfg.epsilon,
        cfg.epsilon_schedule,
        cfg.epsilon_end,
        cfg.epsilon_duration,
        cfg.epsilon_decay,
        cfg.alpha,
        cfg.q_init,
        cfg.c,
        cfg.temperature,
        cfg.baseline,
    )


class VectorAgent:
    """One agent's estimates over ``runs`` problems: action values Q and counts N (value methods),
    preferences H and the average-reward baseline (gradient bandit, section 2.8)."""

    def __init__(self, spec: AgentSpec, runs: int, k: int) -> None:
        self.spec = spec
        self.q = np.full((runs, k), spec.q_init)
        self.n = np.zeros((runs, k))
        self.h = np.zeros((runs, k))
        self.avg_reward = np.zeros(runs)
        self.rows = np.arange(runs)

    def act(self, t: int, rng: np.random.Generator) -> np.ndarray:
        """(runs,) the actions at step ``t`` (0-based)."""
        s = self.spec
        if s.kind == "ucb":  # untried arms first (infinite bonus), then Q + c sqrt(ln t / N)
            with np.errstate(divide="ignore", invalid="ignore"):
                bonus = np.where(self.n > 0, s.c * np.sqrt(np.log(t + 1) / self.n), np.inf)
            return argmax_random(self.q + bonus, rng)
        if s.kind in ("softmax", "gradient"):
            return sample(self.probs(), rng)
        explore = rng.random(len(self.rows)) < s.epsilon_at(t)
        return np.where(explore, rng.integers(self.q.shape[1], size=len(self.rows)), argmax_random(self.q, rng))

    def probs(self) -> np.ndarray:
        """(runs, k) the softmax policy over Q / temperature, or over the preferences H."""
        logits = self.h if self.spec.kind == "gradient" else self.q / self.spec.temperature
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def learn(self, actions: np.ndarray, rewards: np.ndarray, t: int) -> None:
        s = self.spec
        if s.kind == "gradient":  # eq. 2.12, baseline = mean of the earlier rewards (R_1 at t = 0)
            baseline = np.where(t == 0, rewards, self.avg_reward) if s.baseline else 0.0
            pi = self.probs()
            onehot = np.zeros_like(pi)
            onehot[self.rows, actions] = 1.0
            self.h += s.alpha * (rewards - baseline)[:, None] * (onehot - pi)
            self.n[self.rows, actions] += 1
            self.avg_reward += (rewards - self.avg_reward) / (t + 1)
            return
        self.n[self.rows, actions] += 1
        step = 1.0 / self.n[self.rows, actions] if s.alpha == 0.0 else s.alpha
        self.q[self.rows, actions] += step * (rewards - self.q[self.rows, actions])


def argmax_random(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise argmax with ties broken uniformly at random."""
    best = values == values.max(axis=1, keepdims=True)
    return np.argmax(best * rng.random(values.shape), axis=1)


def sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row from (runs, k) probabilities."""
    return np.minimum((probs.cumsum(axis=1) < rng.random((len(probs), 1))).sum(axis=1), probs.shape[1] - 1)
