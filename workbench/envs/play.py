"""A person playing a trainer's display environment with the keyboard.

The panel sends ``play`` (start or stop playing), ``key`` (a key pressed, as its action index)
and, in real-time games, ``release`` (that key let go); a trainer hands its events to
``Player.handle`` and, while ``Player.active``, holds its training with
``yield from player.hold(ctx, step)``. A grid world steps once per key press. A real-time game
(CartPole, Acrobot, MountainCar, Atari) steps by itself on the trainer's clock at its own rate
times the live setting ``play_speed``, with the action of the newest key held (the game's idle
action while none is). The frame is shown under the trainer's frame key with the score; every
finished episode logs ``human_return`` and ``human_length`` and, with a run folder, joins the
run's Minari demonstrations. ``takeover`` (a trainer that supports it) lets the person's last
key act in the training env, which then steps on the same clock as a played game.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import cv2
import gymnasium as gym
import numpy as np

from workbench.core.actions import Action, Event, payload
from workbench.core.config import param
from workbench.core.images import fit_width
from workbench.core.snapshot import Snapshot
from workbench.data.demos import Episode, save_episode
from workbench.data.episodes import note_demo_step
from workbench.envs.keys import idle_action, steps_per_second

PLAY_ACTIONS = (
    Action("play", "Play", help="give the keyboard the controls: training holds while you play; press again to stop"),
    Action("key", "Key", (payload("action", int, lo=0),), help="a key pressed while playing, as its action"),
    Action("release", "Release", (payload("action", int, lo=0),), help="that key let go (real-time games)"),
)
TAKEOVER = Action("takeover", "Take over", help="T: your keys act in the training env (and back)")
WAIT_S = 0.05  # between snapshots while waiting for a key: stop and pause still land quickly
FRAME_WIDTH = 480
PLAY_SPEED = 0.25  # a beginner can balance CartPole at a quarter of real time
MAX_GAP_S = 0.1  # a longer gap between two ticks (a paused run) counts as this: no burst of steps after it


def play_speed() -> Any:
    """The live ``play_speed`` field of a plugin whose games run in real time."""
    return param(
        PLAY_SPEED, "speed of the game you play (Play): 0.1 slow motion … 1 real time", lo=0.1, hi=1.0, live=True
    )


class GameClock:
    """Real time for a real-time game, read from ``now`` (the trainer's monotonic clock): how
    many steps are due at ``rate`` steps per second times the speed. ``played_s`` counts the
    seconds played and ``steps`` the steps due so far."""

    def __init__(self, rate: float, now: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.now = rate, now
        self.last = now()
        self.played_s = 0.0
        self.game_s = 0.0  # played_s, each second scaled by the speed then
        self.steps = 0

    def restart(self) -> None:
        """Time away (not playing) is no part of the game."""
        self.last = self.now()

    def due(self, speed: float) -> int:
        """The steps due since the last call."""
        t = self.now()
        dt, self.last = min(t - self.last, MAX_GAP_S), t
        self.played_s += dt
        self.game_s += dt * speed
        n = int(self.game_s * self.rate) - self.steps
        self.steps += n
        return n

    def wait_s(self, speed: float) -> float:
        """Seconds until the next step is due."""
        return max(0.0, ((self.steps + 1) / self.rate - self.game_s) / speed)


class Player:
    """The person's episode in ``env``: stepped by key events or, in a real-time game, by its
    clock with the key held; recorded for the demonstrations."""

    def __init__(self, make_env: Callable[[], gym.Env], frame_key: str, out_dir: Path | None, seed: int = 0) -> None:
        self._make_env = make_env
        self.frame_key = frame_key
        self.env: gym.Env | None = None
        self.active = False
        self.takeover = False
        self.held: int | None = None  # the last key's action: what a takeover plays
        self.pressed: list[int] = []  # the actions of the keys down, newest last (real-time games)
        self.clock: GameClock | None = None  # None in a turn-based game: one step per key press
        self.human_steps = 0  # steps the person made in the training env's episode under way
        self.rng = np.random.default_rng(seed)
        self.episode: Episode | None = None
        self.ret = 0.0
        self.last_return: float | None = None  # the person's last finished episode's
        self.finished: list[dict[str, float]] = []  # the scalars of the episodes ended since the last snapshot
        self.out_dir = out_dir  # the run folder the demonstrations go to
        self._unstamped: list[int] = []  # demonstrations saved since the trainer last said its step

    def handle(self, events: list[Event]) -> list[Event]:
        """Act on ``play``, ``key`` and ``takeover``; the other events, for the trainer."""
        others = []
        for ev in events:
            if ev.name == "play":
                self._toggle()
            elif ev.name == "takeover":
                self.takeover = not self.takeover
            elif ev.name == "key":
                self.held = int(ev.payload["action"])
                self._release(self.held)
                self.pressed.append(self.held)
                if self.active and self.clock is None:
                    self.step(self.held)
            elif ev.name == "release":
                self._release(int(ev.payload["action"]))
            else:
                others.append(ev)
        return others

    def _toggle(self) -> None:
        self.active = not self.active
        self.pressed.clear()  # keys held before Play act only once pressed again
        if self.active:
            self._open()
        if self.active and self.episode is None:
            self._reset()
        if self.active and self.clock is not None:
            self.clock.restart()

    def _open(self) -> None:
        """The display env and, for a real-time game, its clock (made once, when first needed)."""
        if self.env is None:
            self.env = self._make_env()
            rate = steps_per_second(self.env)
            self.clock = GameClock(rate) if rate is not None else None

    def _release(self, action: int) -> None:
        if action in self.pressed:
            self.pressed.remove(action)

    def action(self) -> int:
        """What a real-time game plays now: the newest key held, or its idle action."""
        return self.pressed[-1] if self.pressed else idle_action(self.env)

    def _advance(self, speed: float) -> None:
        """A real-time game's steps due by its clock, each with the key held then."""
        if self.clock is not None:
            for _ in range(self.clock.due(speed)):
                self.step(self.action())

    def _reset(self) -> None:
        seed = int(self.rng.integers(2**31))
        obs, _ = self.env.reset(seed=seed)
        self.episode, self.ret = Episode(np.asarray(obs), seed), 0.0

    def step(self, action: int) -> None:
        """One step of the person's episode; at its end the return is logged and a new one starts."""
        space = self.env.action_space
        if not isinstance(space, gym.spaces.Discrete) or not 0 <= action < space.n:
            return  # continuous actions, or a key of another environment's map
        obs, reward, terminated, truncated, _ = self.env.step(action)
        self.episode.add(action, np.asarray(obs), float(reward), terminated, truncated)
        self.ret += float(reward)
        if terminated or truncated:
            self.finished.append({"human_return": self.ret, "human_length": float(len(self.episode.actions))})
            self.last_return = self.ret
            if self.out_dir is not None:
                self._unstamped.append(save_episode(self.out_dir, self.episode, self.env))
            self._reset()

    def _stamp(self, step: int) -> None:
        """Keep the trainer's step with the demonstrations saved since it last held: the keys
        handled just before ``hold`` are played at the step it holds at."""
        while self._unstamped:
            note_demo_step(self.out_dir, self._unstamped.pop(0), step)

    def steer(self, actions: np.ndarray, speed: float = PLAY_SPEED) -> np.ndarray:
        """While taken over, env 0 plays the person's last key instead of ``actions[0]``, each
        step when the game's clock has it due at ``speed`` (as when the person plays the game);
        returns which envs the person played."""
        took = np.zeros(len(actions), dtype=bool)
        if self.takeover and self.held is not None:
            actions[0], took[0] = self.held, True
            self._open()
            if self.clock is not None and self.clock.due(speed) == 0:
                time.sleep(self.clock.wait_s(speed))
                self.clock.due(speed)
        return took

    def mark(self, took: bool, ended: bool, ret: float) -> dict[str, float]:
        """Counts the person's steps in env 0's episode; at its end ``human_steps``, and
        ``human_return`` (its return) when the person played any of it."""
        self.human_steps += int(took)
        if not ended:
            return {}
        marks = {"human_steps": float(self.human_steps)}
        if self.human_steps:
            marks["human_return"] = float(ret)
        self.human_steps = 0
        return marks

    def hold(self, ctx, step: int) -> Generator[Snapshot, None, list[Event]]:
        """Snapshots of the person's game while playing (training waits) until Play is pressed
        again or the run stops; returns the events for the trainer that came meanwhile."""
        others: list[Event] = []
        shown = None
        self._stamp(step)
        while self.active and not ctx.should_stop():
            speed = float(getattr(ctx.config, "play_speed", PLAY_SPEED))
            self._advance(speed)
            scalars = self.finished.pop(0) if self.finished else {}  # one row per episode
            frame_id = (id(self.episode), len(self.episode.actions))
            arrays = {}
            if frame_id != shown:
                shown = frame_id
                frame = fit_width(self.env.render(), FRAME_WIDTH)
                arrays[self.frame_key] = with_score(frame, self.ret, self.last_return)
            yield Snapshot(step, scalars=scalars, arrays=arrays)  # a paused run pauses the game here
            others += self.handle(ctx.events())
            self._stamp(step)
            if not scalars and not arrays:
                time.sleep(WAIT_S if self.clock is None else min(WAIT_S, self.clock.wait_s(speed)))
        return others

    def close(self) -> None:
        if self.env is not None:
            self.env.close()


def with_score(frame: np.ndarray, score: float, last: float | None = None) -> np.ndarray:
    """The frame with the person's score so far, and their last episode's return, in its corner."""
    out = np.ascontiguousarray(frame).copy()
    text = f"you: {score:g}" + ("" if last is None else f"   last episode: {last:g}")
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 60, 60), 1, cv2.LINE_AA)
    return out
