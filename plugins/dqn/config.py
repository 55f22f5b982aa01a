"""Deep Q-learning settings. The defaults solve CartPole-v1 within 80,000 steps on each of seeds 0-14,
and two thirds of those runs stay solved for the 20,000 steps after.

They are rl-baselines3-zoo's tuned CartPole DQN made cheaper and steadier: a [64, 64] MLP and 32
updates of 256 transitions every 256 steps, where the zoo has [256, 256] and 128 updates of 64 (the
same transitions per step in a quarter of the updates, which dominate the time), lr 2e-3, and a
target network that follows the online one by tau 0.02 each update instead of being copied once
per burst (which solved 11 of those 15 seeds and kept 5 solved); README.md lists the Atari
settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workbench.core.actions import Action
from workbench.core.config import Condition, Schema, one_of, param
from workbench.envs.play import PLAY_ACTIONS, TAKEOVER, play_speed
from workbench.rl.schedules import SCHEDULES

ALGOS = ("dqn", "double", "dueling", "dueling-double")
ATARI_GAMES = ("ALE/SpaceInvaders-v5", "ALE/Pong-v5", "ALE/Breakout-v5", "ALE/Enduro-v5")
FRAME_SIZES = ("84x84", "105x80")
ATARI = Condition("env is an Atari game (ALE/...)", lambda c: c.env.startswith("ALE/"))
CARTPOLE = Condition("env is CartPole", lambda c: c.env.startswith("CartPole"))
PRIORITIZED = one_of("replay", "prioritized")


@dataclass
class Config(Schema):
    env: str = param("CartPole-v1", "CartPole-v1, or an Atari game such as " + ", ".join(ATARI_GAMES))
    algo: str = param("dqn", "dqn, Double DQN, Dueling DQN, or both", choices=ALGOS)
    steps: int = param(80_000, "environment steps to train", lo=1, hi=100_000_000)
    lr: float = param(2e-3, "Adam learning rate", lo=1e-6, hi=1e-1, log=True, live=True)
    gamma: float = param(0.99, "discount factor", lo=0.0, hi=1.0, live=True)
    batch_size: int = param(256, "transitions per update", lo=1, hi=4096, group="advanced")
    buffer_size: int = param(100_000, "replay capacity in transitions", lo=1, hi=10_000_000)
    learning_starts: int = param(1_000, "warm-up: steps of experience before the first update", lo=0, group="advanced")
    train_every: int = param(256, "environment steps between bursts of updates", lo=1, group="advanced")
    updates: int = param(32, "gradient updates per burst", lo=1, hi=10_000, group="advanced")
    target_update: str = param(
        "soft", "move the target network by tau each update, or copy it every C steps", choices=("hard", "soft")
    )
    target_every: int = param(
        10,
        "C: environment steps between hard target copies; a copy comes only after the network has "
        "learned, so below train_every there is one per burst of updates",
        lo=1,
        when=one_of("target_update", "hard"),
    )
    tau: float = param(0.02, "soft target update rate", lo=0.0, hi=1.0, live=True, when=one_of("target_update", "soft"))
    loss: str = param("huber", "TD loss", choices=("huber", "mse"), group="advanced")
    max_grad_norm: float = param(10.0, "gradient norm clip (0: none)", lo=0.0, hi=1000.0, group="advanced")
    hidden: int = param(
        64,
        "hidden units of the MLP (CartPole) or of the head after the convolutions (Atari: 512)",
        lo=8,
        hi=4096,
        group="advanced",
    )
    n_step: int = param(1, "n-step returns", lo=1, hi=20, group="advanced")
    keep_replay: bool = param(
        False,
        "save the replay beside every checkpoint (replay.npz) so a resumed run goes on "
        "exactly; off: a resumed run refills it for learning_starts steps",
        group="advanced",
    )
    replay: str = param(
        "uniform", "uniform or proportional prioritised replay", choices=("uniform", "prioritized"), group="advanced"
    )
    priority_alpha: float = param(
        0.6, "prioritised replay: priority exponent alpha", lo=0.0, hi=1.0, when=PRIORITIZED, group="advanced"
    )
    priority_beta: float = param(
        0.4,
        "prioritised replay: importance-weight exponent beta, annealed to 1",
        lo=0.0,
        hi=1.0,
        when=PRIORITIZED,
        group="advanced",
    )
    epsilon_schedule: str = param(
        "linear",
        "how epsilon falls from epsilon to epsilon_end",
        choices=tuple(s for s in SCHEDULES if s != "sinusoidal"),
    )
    epsilon: float = param(
        1.0, "exploration rate at the start (constant schedule: throughout)", lo=0.0, hi=1.0, live=True
    )
    epsilon_end: float = param(
        0.04,
        "exploration rate at the end of the schedule",
        lo=0.0,
        hi=1.0,
        live=True,
        when=Condition("epsilon_schedule is not constant", lambda c: c.epsilon_schedule != "constant"),
    )
    epsilon_duration: int = param(
        8_000, "linear schedule: steps from epsilon to epsilon_end", lo=1, when=one_of("epsilon_schedule", "linear")
    )
    epsilon_decay: float = param(
        5e-4,
        "exponential schedule: decay rate per step",
        lo=1e-7,
        hi=1.0,
        log=True,
        when=one_of("epsilon_schedule", "exponential"),
    )
    reward_noise: float = param(
        0.0,
        "std of Gaussian noise added to training rewards (shows overestimation)",
        lo=0.0,
        hi=100.0,
        live=True,
        group="advanced",
    )
    num_envs: int = param(
        1, "environments stepped together (Atari: ale-py's vector env)", lo=1, hi=64, group="advanced"
    )
    frame_size: str = param("84x84", "Atari frame height x width", choices=FRAME_SIZES, when=ATARI, group="advanced")
    frame_stack: int = param(4, "Atari frames per observation", lo=1, hi=8, when=ATARI, group="advanced")
    noop_max: int = param(
        30, "Atari: at most this many no-ops at the start of an episode", lo=0, hi=100, when=ATARI, group="advanced"
    )
    life_terminal: bool = param(False, "Atari: a lost life ends the bootstrapped return", when=ATARI, group="advanced")
    eval_every: int = param(2_000, "environment steps between greedy evaluations (0: none)", lo=0)
    eval_episodes: int = param(10, "episodes per greedy evaluation", lo=1, hi=1000, group="advanced")
    eval_max_steps: int = param(
        27_000, "longest evaluation or recorded episode, in agent steps", lo=1, group="advanced"
    )
    record_every: int = param(0, "record a GIF every N training episodes (0: only on demand)", lo=0, group="advanced")
    learn_from_human: bool = param(True, "after a takeover (T), the person's steps go into the replay too", live=True)
    play_speed: float = play_speed()
    watch: bool = param(False, "render every step (slower); off: a frame a few times a second", live=True)
    delay: float = param(0.0, "slow motion: seconds to wait after each rendered step", lo=0.0, hi=1.0, live=True)
    slice_x: float = param(0.0, "CartPole Q map: cart position of the slice", lo=-2.4, hi=2.4, live=True, when=CARTPOLE)
    slice_v: float = param(0.0, "CartPole Q map: cart velocity of the slice", lo=-3.0, hi=3.0, live=True, when=CARTPOLE)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")
    seed: int = param(0, "random seed", lo=0)

    actions: ClassVar[tuple[Action, ...]] = (
        Action("evaluate", "Evaluate now", help="play the greedy evaluation episodes at the next step"),
        Action("record", "Record next episode", help="play one greedy episode into a GIF in the run folder"),
        *PLAY_ACTIONS,
        TAKEOVER,
    )
    renamed: ClassVar[dict[str, str]] = {"epsilon_min": "epsilon_end", "epsilon_steps": "epsilon_duration"}

    @property
    def atari(self) -> bool:
        return self.env.startswith("ALE/")

    def memory_needed(self) -> tuple[int, str]:
        """The replay: a frame per transition (an observation vector outside Atari), its action,
        reward and flags, and the priorities' sum tree."""
        frame = 1
        for side in map(int, self.frame_size.split("x")) if self.atari else (64,):  # 64: a generous vector
            frame *= side
        per_transition = frame * (1 if self.atari else 4) + 2 + 4 + 3 + (16 if self.replay == "prioritized" else 0)
        return self.buffer_size * per_transition, f"a replay of {self.buffer_size:,} transitions"

    def check(self) -> None:
        from workbench_plugins.dqn.envs import check_env

        check_env(self.env)
        if self.buffer_size < self.batch_size:
            raise ValueError(
                f"buffer_size={self.buffer_size} is smaller than batch_size={self.batch_size}; "
                "the replay must hold at least one batch"
            )
        stack = self.frame_stack if self.atari else 1
        if self.buffer_size // self.num_envs < stack + self.n_step + 1:
            raise ValueError(
                f"buffer_size={self.buffer_size} is too small for {self.num_envs} environments with "
                f"n_step={self.n_step}; use at least {(stack + self.n_step + 1) * self.num_envs}"
            )
