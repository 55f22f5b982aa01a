"""Deep Q-learning (Mnih et al. 2015) with Double (van Hasselt et al. 2016) and Dueling (Wang et al.
2016) variants, n-step returns and prioritised replay (Schaul et al. 2016), on CartPole or Atari."""

from __future__ import annotations

import copy
import functools
import random
import time
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from workbench.core.driver import RunContext
from workbench.core.images import tile
from workbench.core.recorder import AnimationWriter
from workbench.core.seeding import env_rng_states, rng_state, set_env_rng_states, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data.demos import Episode
from workbench.data.episodes import save_episode_npz
from workbench.envs.play import Player
from workbench.lens import views as lens
from workbench.rl.schedules import epsilon_at
from workbench_plugins.dqn import draw
from workbench_plugins.dqn.config import Config
from workbench_plugins.dqn.envs import FrameStack, frame_hw, frames_of, make_eval_env, make_train_env
from workbench_plugins.dqn.model import NumpyQ, QNetwork, TensorBatch, td_targets
from workbench_plugins.dqn.probes import cartpole_q_slice, saliency, slice_extent
from workbench_plugins.dqn.replay import ReplayBuffer

VIEW_EVERY_S = 0.25  # heavy arrays (maps, saliency, frames) a few times a second
YIELD_EVERY_S = 0.05  # scalars: at most 20 snapshots a second
SLICE_CELLS = 21
REPLAY_FILE = "replay.npz"  # beside the checkpoint, with keep_replay


def discounted_returns(rewards: list[float], gamma: float) -> np.ndarray:
    """G_t = r_t + gamma G_{t+1} for every step of a finished episode."""
    out, g = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out


@dataclass
class Agent:
    """The online and target Q-networks and the optimiser: what learns, and what a checkpoint keeps."""

    online: QNetwork
    target: QNetwork
    lr: float  # the optimiser's first learning rate (each update sets the config's)
    device: torch.device
    n_actions: int
    double: bool
    numpy_q: NumpyQ | None = field(init=False, default=None)  # acting without torch, where it fits

    def __post_init__(self) -> None:
        self.numpy_q = NumpyQ(self.online) if NumpyQ.fits(self.online, self.device) else None

    @functools.cached_property
    def optimizer(self) -> torch.optim.Optimizer:
        """Built at the first update, checkpoint or resume, not before the first episodes: torch's
        first optimiser imports torch._dynamo (as long as torch itself), and acting needs none."""
        return torch.optim.Adam(self.online.parameters(), lr=self.lr, fused=True)  # one kernel a step: ~1.5x on CPU

    def act(self, obs: np.ndarray, eps: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Epsilon-greedy actions for a batch of observations, and the Q-values they were chosen from."""
        if self.numpy_q is not None:
            q = self.numpy_q(obs)
        else:
            with torch.no_grad():
                q = self.online(torch.as_tensor(obs, device=self.device)).cpu().numpy()
        actions = q.argmax(axis=1)
        if eps > 0:
            explore = rng.random(len(actions)) < eps
            actions[explore] = rng.integers(self.n_actions, size=int(explore.sum()))
        return actions, q


@dataclass
class EpisodeLog:
    """Per-env episode returns, lengths and the Q-values of the actions taken, for the curves and
    the overestimation plot (Q taken against the discounted return actually learned from)."""

    n_envs: int
    ret: np.ndarray = field(init=False)
    length: np.ndarray = field(init=False)
    q_taken: list[list[float]] = field(init=False)
    rewards: list[list[float]] = field(init=False)
    finished: list[tuple[float, int, float, float]] = field(default_factory=list)  # return, length, Q, G

    def __post_init__(self) -> None:
        self.ret, self.length = np.zeros(self.n_envs), np.zeros(self.n_envs, dtype=np.int64)
        self.q_taken, self.rewards = [[] for _ in range(self.n_envs)], [[] for _ in range(self.n_envs)]

    def add(
        self, valid: np.ndarray, reward: np.ndarray, learned: np.ndarray, q: np.ndarray, actions: np.ndarray
    ) -> None:
        for i in np.flatnonzero(valid):
            self.ret[i] += reward[i]
            self.length[i] += 1
            self.q_taken[i].append(q[i, actions[i]])
            self.rewards[i].append(learned[i])

    def end(self, done: np.ndarray, gamma: float) -> None:
        for i in np.flatnonzero(done):
            g = discounted_returns(self.rewards[i], gamma)
            self.finished.append((self.ret[i], int(self.length[i]), float(np.mean(self.q_taken[i])), float(g.mean())))
            self.ret[i], self.length[i], self.q_taken[i], self.rewards[i] = 0.0, 0, [], []

    def scalars(self) -> dict[str, float]:
        """Means over the episodes finished since the last call."""
        if not self.finished:
            return {}
        ret, length, q_mean, g_mean = np.mean(np.array(self.finished), axis=0)
        self.finished.clear()
        return {
            "episode_return": ret,
            "episode_length": length,
            "overestimation/q_taken": q_mean,
            "overestimation/return": g_mean,
        }


def learn(
    cfg: Config, agent: Agent, rb: ReplayBuffer, n_updates: int, beta: float, ctx: RunContext
) -> tuple[list[float], list[float], np.ndarray]:
    """``n_updates`` gradient steps on replayed batches towards the (Double) DQN target; returns the
    losses, the mean Q of the replayed actions and the last batch's TD errors.

    The target network changes only between environment steps (a hard copy every C steps, as in
    stable-baselines3), so with uniform replay a burst's batches are drawn in one go and plain
    DQN's bootstrap values come from one target pass over all of them; losses stay on the device
    until the burst ends. Each gradient step still sees its own batch of ``batch_size``.
    """
    online, target, device = agent.online, agent.target, agent.device
    for group in agent.optimizer.param_groups:
        group["lr"] = cfg.lr
    size = cfg.batch_size
    burst = (
        None
        if rb.prioritized
        else TensorBatch.of(rb.sample(size, cfg.gamma, batches=n_updates), online.obs_shape, device)
    )
    frozen = cfg.target_update == "hard" and not agent.double
    burst_targets = td_targets(online, target, burst, False) if burst is not None and frozen else None
    losses, q_means, td_errors = [], [], torch.zeros(0)
    for i in range(n_updates):
        if burst is None:
            b = TensorBatch.of(rb.sample(size, cfg.gamma, beta), online.obs_shape, device)
        else:
            b = burst.part(i * size, (i + 1) * size)
        if burst_targets is None:
            target_q = td_targets(online, target, b, agent.double)
        else:
            target_q = burst_targets[i * size : (i + 1) * size]
        q_taken = online(b.obs).gather(1, b.actions[:, None])[:, 0]
        per_sample = (F.smooth_l1_loss if cfg.loss == "huber" else F.mse_loss)(q_taken, target_q, reduction="none")
        loss = (b.weights * per_sample).mean()
        agent.optimizer.zero_grad()
        loss.backward()
        if cfg.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(online.parameters(), cfg.max_grad_norm, foreach=True)
        agent.optimizer.step()
        td_errors = (target_q - q_taken).detach()
        if rb.prioritized:
            rb.update_priorities(b.index, td_errors.cpu().numpy())
        if cfg.target_update == "soft":
            with torch.no_grad():
                for p_t, p in zip(target.parameters(), online.parameters()):
                    p_t.lerp_(p, cfg.tau)
        losses.append(loss.detach())
        q_means.append(q_taken.detach().mean())
        if ctx.should_stop():
            break
    if not losses:
        return [], [], np.zeros(0)
    return torch.stack(losses).tolist(), torch.stack(q_means).tolist(), td_errors.cpu().numpy()


def play(
    ctx: RunContext,
    agent: Agent,
    env,
    rng: np.random.Generator,
    step: int,
    n_episodes: int,
    kind: str,
    gif_path=None,
) -> Generator[Snapshot, None, list[float]]:
    """Greedy episodes in the evaluation env, leaving training untouched; with ``gif_path``, one
    episode recorded to a GIF with the score drawn. The first episode is kept for replay in the
    run folder as ``kind`` played at ``step``. Yields frames to watch; returns the scores of the
    episodes played to their end (a stop ends the evaluation early)."""
    cfg = ctx.config
    stack = cfg.frame_stack if cfg.atari else 1
    frame_shape = frame_hw(cfg.frame_size) if cfg.atari else env.observation_space.shape
    frame_dtype = np.uint8 if cfg.atari else np.float32
    writer = AnimationWriter(gif_path, fps=30 if cfg.atari else 50) if gif_path is not None else None
    scores, shown = [], time.perf_counter()
    try:
        for i in range(n_episodes):
            seed = int(rng.integers(2**31))
            obs, _ = env.reset(seed=seed)
            kept = Episode(np.asarray(obs), seed) if i == 0 and ctx.out_dir is not None else None
            stacker = FrameStack(1, stack, frame_shape, frame_dtype)
            x = stacker.push(obs[None], np.ones(1, dtype=bool))
            score, done, length = 0.0, False, 0
            while not done and length < cfg.eval_max_steps and not ctx.should_stop():
                action = int(agent.act(x, 0.0, rng)[0][0])
                obs, reward, terminated, truncated, _ = env.step(action)
                if kept is not None:
                    kept.add(action, np.asarray(obs), float(reward), terminated, truncated)
                x = stacker.push(obs[None], np.zeros(1, dtype=bool))
                score, length = score + float(reward), length + 1
                done = terminated or truncated
                now = time.perf_counter()
                if writer is not None or cfg.watch or now - shown > VIEW_EVERY_S:
                    frame = draw.with_score(env.render(), score)
                    if writer is not None:
                        writer.add(frame)
                if cfg.watch or now - shown > VIEW_EVERY_S:
                    shown = now
                    yield Snapshot(step, arrays={"frame": frame})
                    cfg = ctx.config
                    time.sleep(cfg.delay if cfg.watch else 0.0)
            if not done and length < cfg.eval_max_steps:
                break  # a stop cut the episode short: its score and the episodes after it are no scores
            if kept is not None and kept.actions:
                save_episode_npz(ctx.out_dir, kept, kind, step, cfg.env)
            scores.append(score)
    finally:
        if writer is not None:
            writer.close()
    return scores


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # TRY NOT TO MODIFY: seeding
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    eval_rng = np.random.default_rng(cfg.seed + 1)  # evaluations never draw from training's generator

    # env + agent setup
    envs = make_train_env(cfg)
    eval_env = make_eval_env(cfg)
    action_ids = draw.action_ids(eval_env.unwrapped.get_action_meanings() if cfg.atari else draw.CARTPOLE_ACTIONS)
    n_envs, n_actions = cfg.num_envs, int(envs.single_action_space.n)
    frame_shape = frame_hw(cfg.frame_size) if cfg.atari else envs.single_observation_space.shape
    frame_dtype = np.uint8 if cfg.atari else np.float32
    stack = cfg.frame_stack if cfg.atari else 1
    device = torch.device(ctx.device)
    online = QNetwork((stack, *frame_shape), n_actions, cfg.hidden, cfg.algo.startswith("dueling")).to(device)
    agent = Agent(
        online,
        copy.deepcopy(online),
        cfg.lr,
        device,
        n_actions,
        double=cfg.algo in ("double", "dueling-double"),
    )
    rb = ReplayBuffer(
        cfg.buffer_size,
        frame_shape,
        frame_dtype,
        n_envs,
        stack,
        cfg.n_step,
        cfg.replay == "prioritized",
        cfg.priority_alpha,
        seed=cfg.seed,
    )
    step, episodes, updates = 0, 0, 0
    copied_at = -1  # updates made when the target network was last copied (-1: not since the start)
    # a single Gymnasium env continues exactly from an episode's end (checkpoints wait for one);
    # Atari and vector envs resume with fresh episodes
    exact = not cfg.atari and n_envs == 1

    # TRY NOT TO MODIFY: start the game
    obs, info = envs.reset(seed=cfg.seed)
    first = np.ones(n_envs, dtype=bool)  # obs is an episode's first observation
    was_done = np.zeros(n_envs, dtype=bool)  # obs is an episode's final observation
    stacker = FrameStack(n_envs, stack, frame_shape, frame_dtype)
    x = stacker.push(frames_of(obs, cfg.atari), first)
    lives = info.get("lives")  # Atari: a drop marks a lost life
    log = EpisodeLog(n_envs)
    next_train, next_target, next_eval = cfg.learning_starts, cfg.target_every, cfg.eval_every
    resetting = False  # resumed at an episode's end: the next step resets
    if ctx.resume is not None:
        state = ctx.resume
        agent.online.load_state_dict(state["online"])
        agent.target.load_state_dict(state["target"])
        agent.optimizer.load_state_dict(state["optimizer"])
        step, episodes, updates, next_train, next_target, next_eval = (
            int(state[k]) for k in ("step", "episodes", "updates", "next_train", "next_target", "next_eval")
        )
        rng.bit_generator.state, eval_rng.bit_generator.state = state["rng"], state["eval_rng"]
        rb.rng.bit_generator.state = state["replay_rng"]
        set_rng_state(state["global_rng"])
        replay = ctx.resume_dir / REPLAY_FILE if ctx.resume_dir is not None else None
        if (
            cfg.keep_replay
            and replay is not None
            and replay.is_file()
            and ReplayBuffer.saved_count(replay) == int(state["replay_count"])
        ):
            rb.load(replay)  # without it (or with one newer than the checkpoint) the replay refills
        if state["at_episode_end"] and exact:
            set_env_rng_states(envs, state["env_rng"])
            stacker.obs[:] = np.asarray(state["observation"])
            x, first, was_done, resetting = stacker.obs, np.asarray(state["first"]).copy(), np.ones(1, bool), True

    def checkpoint_state() -> dict:
        """Everything the next step depends on; with keep_replay, the replay goes to replay.npz first."""
        if cfg.keep_replay and ctx.out_dir is not None:
            rb.save(ctx.path(REPLAY_FILE))
        return {
            "online": agent.online.state_dict(),
            "target": agent.target.state_dict(),
            "optimizer": agent.optimizer.state_dict(),
            "step": step,
            "episodes": episodes,
            "updates": updates,
            "next_train": next_train,
            "next_target": next_target,
            "next_eval": next_eval,
            "rng": rng.bit_generator.state,
            "eval_rng": eval_rng.bit_generator.state,
            "replay_rng": rb.rng.bit_generator.state,
            "replay_count": rb.count,
            "global_rng": rng_state(),
            "at_episode_end": bool(was_done.all()),
            "observation": stacker.obs,
            "first": first,
            "env_rng": env_rng_states(envs) if not cfg.atari else [],
        }

    ctx.keep_state(checkpoint_state)
    last_yield = last_view = time.perf_counter()
    losses, q_means, td_errors = [], [], np.zeros(0)
    asked: set[str] = set()  # actions waiting for the next snapshot
    player = Player(lambda: make_eval_env(cfg), "frame", ctx.out_dir, seed=cfg.seed + 2)  # a person at the keyboard
    try:
        while step < cfg.steps:
            ctx.checkpoint_ok = False  # until this step's snapshot: evaluations yield frames mid-step
            # ALGO LOGIC: act epsilon-greedily in every env
            eps = epsilon_at(cfg, step)
            actions, q = agent.act(x, eps, rng)
            took = player.steer(actions, cfg.play_speed)  # TAKEOVER: env 0 plays the person's last key
            if resetting:  # what the vector env's autoreset would have done at this step
                next_obs, info = envs.reset()
                reward, terminated, truncated = np.zeros(n_envs), np.zeros(n_envs, bool), np.zeros(n_envs, bool)
                resetting = False
            else:
                next_obs, reward, terminated, truncated, info = envs.step(actions)
            valid = ~was_done  # envs that just reset took no action
            learned = np.sign(reward) if cfg.atari else reward.astype(np.float64)
            noisy = learned + (rng.normal(0.0, cfg.reward_noise, n_envs) if cfg.reward_noise > 0 else 0.0)
            ends_bootstrap = terminated.copy()
            if lives is not None:
                ends_bootstrap |= cfg.life_terminal & (info["lives"] < lives)
                lives = info["lives"]
            rb.add(x[:, -1], actions, noisy, ends_bootstrap & valid, valid & (cfg.learn_from_human | ~took), first)
            step += int(valid.sum())
            log.add(valid, reward, learned, q, actions)
            done = (terminated | truncated) & valid
            marks = player.mark(bool(took[0] & valid[0]), bool(done[0]), log.ret[0])
            log.end(done, cfg.gamma)
            episodes += int(done.sum())
            # TRY NOT TO MODIFY: CRUCIAL step easy to overlook
            first, was_done = was_done.copy(), done
            x = stacker.push(frames_of(next_obs, cfg.atari), first)

            # ALGO LOGIC: bursts of updates once the warm-up has filled the replay; a vector step
            # may cross several train_every marks, so updates per env step do not depend on num_envs
            if len(rb) < max(cfg.batch_size, min(cfg.learning_starts, rb.capacity)):
                next_train = max(next_train, step)  # still warming up: no updates are owed yet
            elif step >= next_train:
                bursts = (step - next_train) // cfg.train_every + 1
                next_train += bursts * cfg.train_every
                beta = cfg.priority_beta + (1.0 - cfg.priority_beta) * min(step / cfg.steps, 1.0)
                burst_losses, burst_q, td_errors = learn(cfg, agent, rb, cfg.updates * bursts, beta, ctx)
                losses += burst_losses
                q_means += burst_q
                updates += len(burst_losses)
                interrupted = len(burst_losses) < cfg.updates * bursts
            if cfg.target_update == "hard" and step >= next_target:
                if updates != copied_at:  # the online network has learned since the last copy
                    agent.target.load_state_dict(agent.online.state_dict())
                    copied_at = updates
                next_target = step + cfg.target_every

            # ACTIONS: greedy evaluations (scheduled or asked for) and recorded episodes
            scalars, arrays = {}, {}
            interrupted = False  # a stop cut an update burst or an evaluation short: no checkpoint here
            if cfg.eval_every and step >= next_eval or "evaluate" in asked:
                next_eval = step + cfg.eval_every
                asked.discard("evaluate")
                scores = yield from play(ctx, agent, eval_env, eval_rng, step, cfg.eval_episodes, "greedy")
                interrupted |= ctx.should_stop()
                if len(scores) == cfg.eval_episodes:  # an evaluation a stop cut short is none
                    scalars["eval_return"] = float(np.mean(scores))
            if "record" in asked or (cfg.record_every and done.any() and episodes % cfg.record_every == 0):
                asked.discard("record")
                path = ctx.path(f"episode_{episodes:06d}_step_{step}.gif")
                if path is not None:
                    yield from play(ctx, agent, eval_env, eval_rng, step, 1, "recorded", path)
                    interrupted |= ctx.should_stop()

            # SNAPSHOT: a row of scalars at episode ends, evaluations and the end (the same steps in
            # every run with this seed); views a few times a second in between
            now = time.perf_counter()
            scalars.update(log.scalars(), **marks)
            if player.takeover:
                scalars["taken_over"] = 1.0  # the flag on the rows while the person has the controls
            last = step >= cfg.steps
            row = bool(scalars) or last
            if not row and now - last_yield < YIELD_EVERY_S and not cfg.watch:
                continue
            if row:
                scalars.update(epsilon=eps, replay_fill=len(rb) / rb.capacity, episodes=float(episodes))
            if row and losses:
                scalars.update(loss=float(np.mean(losses)), q_mean=float(np.mean(q_means)))
                losses, q_means = [], []
            if cfg.watch or player.takeover or now - last_view > VIEW_EVERY_S or last:
                last_view = now
                arrays = view_arrays(cfg, agent.online, x[0], td_errors, envs, log.ret[0], device)
                arrays["actions"] = action_ids  # the Q bars' names
            last_yield = now
            ctx.checkpoint_ok = not interrupted and (not exact or last or bool(was_done.all()))
            yield Snapshot(step, scalars=scalars, arrays=arrays, progress=min(step / cfg.steps, 1.0))
            cfg = ctx.config
            events = player.handle(ctx.events())
            events += yield from player.hold(ctx, step)  # training waits while a person plays
            asked.update(event.name for event in events)
            if cfg.watch and cfg.delay > 0:
                time.sleep(cfg.delay)
    finally:
        if ctx.out_dir is not None:
            torch.save(agent.online.state_dict(), ctx.path("q_network.pt"))
        envs.close()
        eval_env.close()
        player.close()


def view_arrays(
    cfg: Config, net: QNetwork, obs: np.ndarray, td_errors: np.ndarray, envs, score: float, device: torch.device
) -> dict[str, np.ndarray]:
    """Everything the panel draws of env 0's current state and the latest update."""
    v_sal, a_sal = saliency(net, obs, device)
    with torch.no_grad():
        q = net(torch.as_tensor(obs[None], device=device))[0].cpu().numpy()
    arrays = {"q_values": q.astype(np.float32)}
    if td_errors.size:
        arrays["td_error"] = td_errors.astype(np.float32)
    if cfg.atari:
        arrays["frame"] = draw.with_score(obs[-1], score, (obs.shape[2] * 4, obs.shape[1] * 4))
        arrays["observation"] = tile(obs, cols=obs.shape[0], pad=2, fill=128)
        arrays["saliency"] = draw.saliency_overlay(obs[-1], v_sal, a_sal)
        # the CNN lens on this network: what the first convolution sees, where the chosen action looks
        x = torch.as_tensor(obs[None], dtype=torch.float32, device=device)
        arrays["feature_maps"] = lens.feature_maps(net, "features.relu1", x)
        arrays["grad_cam"] = lens.grad_cam_overlay(net, "features.relu3", x, int(q.argmax()))
    else:
        arrays["frame"] = draw.with_score(envs.call("render")[0], score)
        arrays["state"] = obs[-1].astype(np.float32)
        arrays["value_saliency"], arrays["advantage_saliency"] = v_sal.astype(np.float32), a_sal.astype(np.float32)
        if obs.shape[-1] == 4:
            arrays["value_map"], arrays["greedy_map"] = cartpole_q_slice(
                net, cfg.slice_x, cfg.slice_v, SLICE_CELLS, device
            )
            arrays["value_map_extent"] = slice_extent(SLICE_CELLS)
    return arrays
