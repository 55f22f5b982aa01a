"""One tabular learner per (algorithm, run): its tables, its environment, and one episode of its
algorithm (Sutton & Barto, chapters 5 to 8). Every episode function returns the same record."""

from __future__ import annotations

from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from workbench.core.seeding import env_rng_states, set_env_rng_states
from workbench.rl.tabular import epsilon_greedy, epsilon_greedy_probs, greedy, legal_mask

ONE_STEP = ("q-learning", "sarsa", "expected-sarsa", "double-q", "dyna-q")


@dataclass(frozen=True)
class Rates:
    """The settings an episode uses; rebuilt each episode so live changes apply at once."""

    epsilon: float
    alpha: float
    gamma: float
    n: int
    planning_steps: int


@dataclass
class Episode:
    """What one episode did: its return, length, first action and visited states."""

    ret: float = 0.0
    length: int = 0
    first_action: int = -1
    states: list[int] = field(default_factory=list)


class Learner:
    """Tables of one algorithm on one environment: Q (a second Q for Double Q-learning, V for
    TD(0) prediction), the legal actions seen per state, visit counts, and Dyna-Q's model."""

    def __init__(self, algo: str, env: gym.Env, seed: int) -> None:
        self.algo, self.env = algo, env
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        n_s, n_a = env.observation_space.n, env.action_space.n
        self.q = np.zeros((n_s, n_a))
        self.q2 = np.zeros((n_s, n_a))  # Double Q-learning's second estimate
        self.v = np.zeros(n_s)  # TD(0) prediction
        self.legal = np.ones((n_s, n_a), dtype=bool)
        self.visits = np.zeros(n_s)
        self.ended = np.zeros(n_s, dtype=bool)  # states where an episode terminated
        self.returns_n = np.zeros((n_s, n_a))  # Monte Carlo: returns averaged per pair
        self.model = {}  # Dyna-Q: (s, a) -> (reward, next state, terminated), last seen
        self.seen = []  # Dyna-Q: the pairs of the model, to sample from
        self.episodes = 0

    TABLES = ("q", "q2", "v", "legal", "visits", "ended", "returns_n")

    def state_dict(self) -> dict:
        """Everything the next episode depends on: the tables, Dyna-Q's model (as arrays, in the
        order it was learned), the episode count and the learner's and the environment's generators."""
        seen = np.array(self.seen, dtype=np.int64).reshape(-1, 2)
        outcomes = np.array([self.model[pair] for pair in self.seen], dtype=np.float64).reshape(-1, 3)
        return {
            **{name: getattr(self, name) for name in self.TABLES},
            "seen": seen,
            "outcomes": outcomes,
            "episodes": self.episodes,
            "rng": self.rng.bit_generator.state,
            "env_rng": env_rng_states(self.env),
        }

    def load_state_dict(self, state: dict) -> None:
        for name in self.TABLES:
            getattr(self, name)[:] = np.asarray(state[name])
        self.seen = [(int(s), int(a)) for s, a in np.asarray(state["seen"])]
        self.model = {
            pair: (float(r), int(s2), bool(end)) for pair, (r, s2, end) in zip(self.seen, np.asarray(state["outcomes"]))
        }
        self.episodes = int(state["episodes"])
        self.rng.bit_generator.state = state["rng"]
        set_env_rng_states(self.env, state["env_rng"])

    def values(self, s: int) -> np.ndarray:
        """(A,) the action values the behaviour policy acts on in state ``s``."""
        return self.q[s] + self.q2[s] if self.algo == "double-q" else self.q[s]

    def estimate(self) -> np.ndarray:
        """(S, A) the learned action values (the mean of both estimates for Double Q-learning)."""
        return (self.q + self.q2) / 2 if self.algo == "double-q" else self.q

    def act(self, s: int, epsilon: float) -> int:
        if self.algo == "td0":  # the policy being evaluated: uniformly random
            return int(self.rng.choice(np.flatnonzero(self.legal[s])))
        return epsilon_greedy(self.values(s), epsilon, self.rng, self.legal[s])

    def max_q(self, table: np.ndarray, s: int) -> float:
        return float(np.where(self.legal[s], table[s], -np.inf).max())

    def run_episode(self, rates: Rates) -> Episode:
        if self.algo in ONE_STEP:
            ep = self._one_step_episode(rates)
        elif self.algo == "n-step-sarsa":
            ep = self._n_step_sarsa_episode(rates)
        elif self.algo == "mc":
            ep = self._monte_carlo_episode(rates)
        else:
            ep = self._td0_episode(rates)
        self.episodes += 1
        return ep

    def _reset(self, ep: Episode) -> int:
        s, info = self.env.reset(seed=self.seed if self.episodes == 0 else None)  # seeded once, then its own stream
        self._see(s, info, ep)
        return int(s)

    def _step(self, s: int, a: int, ep: Episode) -> tuple[int, float, bool, bool]:
        s2, r, terminated, truncated, info = self.env.step(a)
        s2 = int(s2)
        if ep.first_action < 0:
            ep.first_action = a
        ep.ret, ep.length = ep.ret + float(r), ep.length + 1
        self._see(s2, info, ep)
        self.ended[s2] |= bool(terminated)
        return s2, float(r), bool(terminated), bool(truncated)

    def _see(self, s: int, info: dict, ep: Episode) -> None:
        mask = legal_mask(info, self.q.shape[1])
        if mask is not None:
            self.legal[s] = mask
        self.visits[s] += 1
        ep.states.append(s)

    # ALGO LOGIC: SARSA, Q-learning, Expected SARSA, Double Q-learning and Dyna-Q (sections 6.4-6.7, 8.2)
    def _one_step_episode(self, rates: Rates) -> Episode:
        ep = Episode()
        s, done = self._reset(ep), False
        a = self.act(s, rates.epsilon)
        while not done:
            s2, r, terminated, truncated = self._step(s, a, ep)
            done = terminated or truncated
            a2 = self.act(s2, rates.epsilon) if self.algo == "sarsa" else -1  # SARSA picks A' before updating
            self._one_step_update(s, a, r, s2, terminated, a2, rates)
            if self.algo == "dyna-q":
                if (s, a) not in self.model:
                    self.seen.append((s, a))
                self.model[(s, a)] = (r, s2, terminated)
                self._plan(rates)
            s = s2
            a = a2 if self.algo == "sarsa" else (self.act(s, rates.epsilon) if not done else -1)
        return ep

    def _one_step_update(self, s: int, a: int, r: float, s2: int, terminated: bool, a2: int, rates: Rates) -> None:
        table, other = self.q, self.q
        if self.algo == "double-q":  # a coin picks the table to update; the other one values its choice
            table, other = (self.q2, self.q) if self.rng.random() < 0.5 else (self.q, self.q2)
        if terminated:
            following = 0.0
        elif self.algo == "sarsa":
            following = self.q[s2, a2]
        elif self.algo == "expected-sarsa":
            following = float(epsilon_greedy_probs(self.q[s2], rates.epsilon, self.legal[s2]) @ self.q[s2])
        elif self.algo == "double-q":
            following = other[s2, greedy(table[s2], self.rng, self.legal[s2])]
        else:  # q-learning, dyna-q
            following = self.max_q(self.q, s2)
        table[s, a] += rates.alpha * (r + rates.gamma * following - table[s, a])

    def _plan(self, rates: Rates) -> None:
        """Dyna-Q: replay ``planning_steps`` remembered transitions through the Q-learning update."""
        for i in self.rng.integers(len(self.seen), size=rates.planning_steps):
            s, a = self.seen[i]
            r, s2, terminated = self.model[(s, a)]
            target = r + (0.0 if terminated else rates.gamma * self.max_q(self.q, s2))
            self.q[s, a] += rates.alpha * (target - self.q[s, a])

    # ALGO LOGIC: n-step SARSA (section 7.2)
    def _n_step_sarsa_episode(self, rates: Rates) -> Episode:
        ep = Episode()
        n, gamma = rates.n, rates.gamma
        states, actions, rewards = [self._reset(ep)], [], [0.0]
        actions.append(self.act(states[0], rates.epsilon))
        big_t, t, cut_off = np.inf, 0, False
        while True:
            if t < big_t:
                s2, r, terminated, truncated = self._step(states[t], actions[t], ep)
                states.append(s2)
                rewards.append(r)
                if terminated or truncated:
                    big_t, cut_off = t + 1, not terminated
                if not terminated:
                    actions.append(self.act(s2, rates.epsilon))
            tau = t - n + 1
            if tau >= 0:
                end = int(min(tau + n, big_t))
                g = sum(gamma ** (i - tau - 1) * rewards[i] for i in range(tau + 1, end + 1))
                if end < big_t or cut_off:  # bootstrap, also past a time limit (the state is no end)
                    g += gamma ** (end - tau) * self.q[states[end], actions[end]]
                s, a = states[tau], actions[tau]
                self.q[s, a] += rates.alpha * (g - self.q[s, a])
            if tau == big_t - 1:
                return ep
            t += 1

    # ALGO LOGIC: first-visit Monte Carlo control with epsilon-soft policies (section 5.4)
    def _monte_carlo_episode(self, rates: Rates) -> Episode:
        ep = Episode()
        s, done, pairs, rewards = self._reset(ep), False, [], []
        while not done:
            a = self.act(s, rates.epsilon)
            s2, r, terminated, truncated = self._step(s, a, ep)
            pairs.append((s, a))
            rewards.append(r)
            s, done = s2, terminated or truncated
        first = {}
        for t, pair in enumerate(pairs):
            first.setdefault(pair, t)
        g = 0.0
        for t in range(len(pairs) - 1, -1, -1):
            g = rates.gamma * g + rewards[t]
            if first[pairs[t]] == t:
                s, a = pairs[t]
                self.returns_n[s, a] += 1
                self.q[s, a] += (g - self.q[s, a]) / self.returns_n[s, a]
        return ep

    # ALGO LOGIC: TD(0) prediction of the equiprobable random policy (section 6.1)
    def _td0_episode(self, rates: Rates) -> Episode:
        ep = Episode()
        s, done = self._reset(ep), False
        while not done:
            s2, r, terminated, truncated = self._step(s, self.act(s, rates.epsilon), ep)
            target = r + (0.0 if terminated else rates.gamma * self.v[s2])
            self.v[s] += rates.alpha * (target - self.v[s])
            s, done = s2, terminated or truncated
        return ep
