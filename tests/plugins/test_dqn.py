"""Deep Q lab: the math against hand-computed values, the frame storage, and tiny real runs."""

from __future__ import annotations

import os
import threading

import gymnasium as gym
import numpy as np
import pytest
import torch
from cli_errors import rejected
from torch import nn
from trainers import collect

from workbench.core.cli import build_config
from workbench.core.cli import main as cli_main
from workbench.core.driver import Run, RunContext
from workbench.core.manifest import find
from workbench.core.sinks import read_metrics
from workbench.rl.sum_tree import SumTree
from workbench_plugins.dqn.config import Config
from workbench_plugins.dqn.envs import FrameStack, ale_threads, make_eval_env
from workbench_plugins.dqn.model import NumpyQ, QNetwork, TensorBatch, bootstrap_values, dueling_q
from workbench_plugins.dqn.replay import ReplayBuffer
from workbench_plugins.dqn.trainer import Agent, learn, play, train


# ---- Dueling aggregation and the two targets ----
def test_dueling_subtracts_each_samples_own_mean_advantage():
    value = torch.tensor([[1.0], [2.0]])
    advantage = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 3.0]])
    # row means 2 and 1 (a batch-wide mean, 1.5, would give other numbers)
    expected = torch.tensor([[0.0, 1.0, 2.0], [1.0, 1.0, 4.0]])
    assert torch.equal(dueling_q(value, advantage), expected)


def test_dueling_network_q_equals_v_plus_centred_a():
    net = QNetwork((1, 4), 3, 16, dueling=True)
    obs = torch.randn(5, 1, 4)
    v, a = net.streams(obs)
    assert torch.allclose(net(obs), v[:, None] + a - a.mean(1, keepdim=True))
    assert torch.allclose(net(obs).mean(1), v, atol=1e-6)  # centred advantages: mean Q is V


def fixed_q(per_input: list[list[float]]) -> nn.Module:
    """A real network whose Q-values for one-hot input i are row i of ``per_input``."""
    table = torch.tensor(per_input)
    layer = nn.Linear(table.shape[0], table.shape[1], bias=False)
    with torch.no_grad():
        layer.weight.copy_(table.T)
    return layer


def test_double_dqn_target_evaluates_the_online_argmax_with_the_target_net():
    online = fixed_q([[1.0, 5.0, 2.0], [3.0, 0.0, 1.0]])
    target = fixed_q([[4.0, 0.0, 3.0], [2.0, 6.0, 7.0]])
    next_obs = torch.eye(2)
    # DQN: max of the target net; Double: online picks actions 1 and 0, the target net values them
    assert bootstrap_values(online, target, next_obs, double=False).tolist() == [4.0, 7.0]
    assert bootstrap_values(online, target, next_obs, double=True).tolist() == [0.0, 2.0]


def plain_update(cfg: Config, agent: Agent, batch: TensorBatch) -> float:
    """DQN's update as the paper writes it, for one batch: TD targets from the networks of now."""
    with torch.no_grad():
        target_q = batch.returns + batch.discounts * bootstrap_values(
            agent.online, agent.target, batch.next_obs, agent.double
        )
    q_taken = agent.online(batch.obs).gather(1, batch.actions[:, None])[:, 0]
    loss = nn.functional.smooth_l1_loss(q_taken, target_q)
    agent.optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(agent.online.parameters(), cfg.max_grad_norm)
    agent.optimizer.step()
    return loss.item()


@pytest.mark.parametrize("algo", ["dqn", "double"])
def test_a_burst_of_updates_equals_one_plain_update_per_batch(algo):
    """A burst draws its batches at once and (plain DQN) takes every bootstrap value from one target
    pass: the networks it leaves equal those of updates made one batch at a time."""
    cfg = Config(algo=algo, batch_size=16, hidden=32, target_update="hard")
    agents, replays = [], []
    for _ in range(2):
        torch.manual_seed(0)
        online, target = (QNetwork((1, 4), 2, cfg.hidden, dueling=False) for _ in range(2))  # as after some updates
        agents.append(Agent(online, target, cfg.lr, torch.device("cpu"), 2, algo == "double"))
        rb = ReplayBuffer(1000, (4,), np.float32, seed=3)
        env = gym.make("CartPole-v1")
        obs, _ = env.reset(seed=0)
        first = True
        for t in range(300):
            next_obs, reward, terminated, truncated, _ = env.step(t % 2)
            rb.add(
                obs[None],
                np.array([t % 2]),
                np.array([reward]),
                np.array([terminated]),
                np.ones(1, bool),
                np.array([first]),
            )
            first, obs = terminated or truncated, next_obs
            if first:
                obs, _ = env.reset()
        replays.append(rb)
    burst, plain = agents
    losses, _, _ = learn(cfg, burst, replays[0], 12, 1.0, RunContext(cfg, "cpu", None, None, threading.Event()))
    batches = TensorBatch.of(replays[1].sample(cfg.batch_size, cfg.gamma, batches=12), (1, 4), torch.device("cpu"))
    expected = [plain_update(cfg, plain, batches.part(i * 16, (i + 1) * 16)) for i in range(12)]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
    for p, q in zip(burst.online.parameters(), plain.online.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_an_evaluation_a_stop_cuts_short_scores_only_the_episodes_it_finished():
    """CartPole episodes played by a net that always pushes one way last about 10 steps: the stop
    lands in the third episode, whose partial score (and the two never played) must not count."""
    cfg = Config(watch=True, eval_episodes=5)  # watch: a frame, so a chance to stop, at every step
    online = QNetwork((1, 4), 2, cfg.hidden, dueling=False)
    agent = Agent(online, online, cfg.lr, torch.device("cpu"), 2, False)
    stop = threading.Event()
    ctx = RunContext(cfg, "cpu", None, None, stop)
    game = play(ctx, agent, make_eval_env(cfg), np.random.default_rng(0), 0, cfg.eval_episodes, "greedy")
    frames = 0
    try:
        while True:
            next(game)
            frames += 1
            if frames == 25:
                stop.set()
    except StopIteration as end:
        scores = end.value
    assert frames >= 25 and 1 <= len(scores) < cfg.eval_episodes
    assert sum(scores) < 25 and all(s >= 8 for s in scores), scores  # whole episodes only


def test_numpy_acting_gives_the_networks_q_values_and_follows_its_updates():
    net = QNetwork((1, 4), 2, 32, dueling=False)
    numpy_q, obs = NumpyQ(net), torch.randn(3, 1, 4)

    def same() -> None:
        np.testing.assert_allclose(numpy_q(obs.numpy()), net(obs).detach().numpy(), rtol=1e-5, atol=1e-6)

    same()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.1, fused=True)
    net(obs).sum().backward()
    optimizer.step()
    same()
    net.load_state_dict(QNetwork((1, 4), 2, 32, dueling=False).state_dict())
    same()


# ---- sum tree ----
def test_sum_tree_sums_and_finds_by_cumulative_priority():
    tree = SumTree(5)
    tree.update(np.arange(5), np.array([1.0, 2.0, 3.0, 4.0, 0.0]))
    assert tree.total == 10.0
    mass = np.array([0.0, 0.999, 1.0, 2.999, 3.0, 5.999, 6.0, 9.999])
    assert tree.find(mass).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    tree.update(np.array([1, 1, 4]), np.array([7.0, 0.5, 2.0]))  # duplicate: the last value wins
    assert tree.total == 10.5 and tree.get(np.array([1, 4])).tolist() == [0.5, 2.0]
    assert tree.find(np.array([1.2, 8.6])).tolist() == [1, 4]


# ---- replay: n-step returns, frame storage, priorities ----
def fill(rb: ReplayBuffer, rewards, terminated=(), final=(), firsts=(0,)) -> None:
    """One env: slot t holds frame value t; ``final`` slots hold an episode's last frame (no action)."""
    for t, r in enumerate(rewards):
        frame = np.full(rb.frame_shape, t, dtype=rb.frames.dtype)
        rb.add(
            frame[None],
            np.array([t % 2]),
            np.array([r]),
            np.array([t in terminated]),
            np.array([t not in final]),
            np.array([t in firsts]),
        )


def test_n_step_return_stops_at_terminals_and_bootstraps_after_truncation():
    rb = ReplayBuffer(20, (1,), np.float32, n_step=3)
    # episode 1: slots 0-2, terminated on the action at slot 1, slot 2 its final frame
    # episode 2: slots 3-6, truncated after slot 5, slot 6 its final frame; episode 3 from slot 7
    fill(rb, [1, 2, 0, 1, 2, 4, 0, 1, 1, 1, 1], terminated={1}, final={2, 6}, firsts={0, 3, 7})
    env = np.zeros(4, dtype=np.int64)
    ret, disc, nxt = rb.n_step_return(env, np.array([0, 3, 4, 7]), gamma=0.5)
    assert ret.tolist() == [1 + 0.5 * 2, 1 + 0.5 * 2 + 0.25 * 4, 2 + 0.5 * 4, 1 + 0.5 + 0.25]
    assert disc.tolist() == [0.0, 0.125, 0.25, 0.125]
    assert nxt.tolist() == [2, 6, 6, 10]


def test_frames_are_stored_once_as_uint8_and_stacks_rebuilt_with_zeros_before_an_episode():
    rb = ReplayBuffer(12, (2, 2), np.uint8, stack=3)
    fill(rb, [0] * 6, final={3}, firsts={0, 4})
    assert rb.frames.dtype == np.uint8 and rb.frames.shape == (1, 12, 2, 2)
    obs = rb.stacked(np.zeros(3, dtype=np.int64), np.array([1, 3, 5]))
    assert [o[:, 0, 0].tolist() for o in obs] == [[0, 0, 1], [1, 2, 3], [0, 4, 5]]


def test_replayed_stacks_equal_the_stacks_the_agent_acted_on():
    stack, rb = 4, ReplayBuffer(10, (3,), np.uint8, stack=4)  # ring of 10 wraps twice below
    acting = FrameStack(1, stack, (3,), np.uint8)
    seen, rng = {}, np.random.default_rng(0)
    first = True
    for t in range(25):
        frame = rng.integers(0, 255, size=(1, 3), dtype=np.uint8)
        seen[t] = acting.push(frame, np.array([first])).copy()[0]
        final = t % 7 == 6
        rb.add(frame, np.array([0]), np.array([0.0]), np.array([False]), np.array([not final]), np.array([first]))
        first = final
    lo, hi = rb._bounds()
    for t in range(lo, hi + 1):
        assert np.array_equal(rb.stacked(np.array([0]), np.array([t]))[0], seen[t]), t


def test_200k_atari_transitions_fit_in_2_gb():
    rb = ReplayBuffer(200_000, (84, 84), np.uint8, num_envs=4, stack=4, n_step=3, prioritized=True)
    assert rb.capacity == 200_000
    assert rb.nbytes < 2 * 1024**3, rb.nbytes / 1024**3
    assert rb.frames.nbytes == 200_000 * 84 * 84  # one byte per pixel of one frame per transition


def test_prioritised_sampling_follows_priorities_with_normalised_importance_weights():
    rb = ReplayBuffer(8, (1,), np.float32, prioritized=True, alpha=1.0, seed=1)
    fill(rb, [0.0] * 8)
    lo, hi = rb._bounds()
    index = np.arange(lo, hi + 1)
    errors = np.arange(1, len(index) + 1, dtype=np.float64)
    rb.update_priorities(index, errors - rb.eps)  # priority = |error| + eps = 1, 2, ...
    counts = np.zeros(8)
    for _ in range(800):
        batch = rb.sample(5, gamma=0.9, beta=0.5)
        np.add.at(counts, batch.index, 1)
    p = errors / errors.sum()
    assert np.allclose(counts[index] / counts.sum(), p, atol=0.02)
    batch = rb.sample(len(index), gamma=0.9, beta=0.5)
    w = (len(index) * rb.tree.get(batch.index) / rb.tree.total) ** -0.5
    assert np.allclose(batch.weights, w / w.max())


# ---- bad input ----
@pytest.mark.parametrize(
    "sets, message",
    [
        ({"env": "CartPol-v1"}, "unknown environment id 'CartPol-v1'; did you mean CartPole-v1"),
        ({"buffer_size": 32, "batch_size": 64}, "buffer_size=32 is smaller than batch_size=64"),
        ({"env": "Pendulum-v1"}, "needs a flat Box observation and Discrete actions"),
    ],
)
def test_bad_config_says_what_is_wrong(sets, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Config(**sets)


def test_missing_rom_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("ALE_ROMS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=r"the ROM of 'ALE/Pong-v5' \(pong.bin in .*\) cannot be used"):
        Config(env="ALE/Pong-v5")


def test_cli_reports_bad_input_in_one_line(tmp_path, capsys):
    assert "unknown environment id 'NoSuchEnv-v0'" in rejected("dqn", ["env=NoSuchEnv-v0"], tmp_path / "x", capsys)


# ---- tiny real runs ----
def test_cartpole_learns_in_a_few_thousand_steps(tmp_path):
    out = tmp_path / "cartpole"
    sets = [
        "steps=1500",
        "learning_starts=300",
        "train_every=16",
        "updates=8",
        "epsilon_duration=1000",
        "target_every=200",
        "lr=1e-3",
        "batch_size=64",
        "hidden=256",
        "eval_every=1500",
        "eval_episodes=3",
    ]
    assert cli_main(["run", "dqn", "--out", str(out), "--quiet", *[a for s in sets for a in ("--set", s)]]) == 0
    metrics = read_metrics(out / "metrics.csv")
    evals = metrics["eval_return"][~np.isnan(metrics["eval_return"])]
    assert evals[-1] > 100  # a random policy lasts about 22 steps
    assert (out / "checkpoint.pt").is_file()


def test_atari_trains_evaluates_records_checkpoints_and_resumes(tmp_path):
    out = tmp_path / "atari"
    sets = [
        "env=ALE/Pong-v5",
        "num_envs=2",
        "buffer_size=2000",
        "learning_starts=200",
        "train_every=64",
        "updates=2",
        "batch_size=16",
        "hidden=32",
        "eval_every=300",
        "eval_episodes=1",
        "eval_max_steps=150",
        "algo=dueling-double",
        "noop_max=0",
    ]
    manifest = find("dqn")
    run = Run(manifest, build_config(manifest, sets), device="cpu", out_dir=out, max_steps=400, on_nonfinite="stop")
    run.act("record")  # handed to the trainer with its first snapshot
    assert run.run().state == "finished", run.error
    metrics = read_metrics(out / "metrics.csv")
    assert np.isfinite(metrics["loss"]).any() and np.isfinite(metrics["eval_return"]).any()
    assert list(out.glob("episode_*.gif")), "the record action should write a GIF"
    first = torch.load(out / "checkpoint.pt", weights_only=True)["state"]
    assert first["step"] >= 400
    assert cli_main(["run", "dqn", "--out", str(out), "--quiet", "--steps", "800", "--resume", str(out)]) == 0
    resumed = torch.load(out / "checkpoint.pt", weights_only=True)["state"]
    assert resumed["step"] >= 800 and resumed["updates"] > first["updates"]


def test_updates_per_environment_step_do_not_depend_on_the_number_of_envs(tmp_path):
    counts = {}
    for num_envs in (1, 8):
        out = tmp_path / str(num_envs)
        sets = [
            f"num_envs={num_envs}",
            "learning_starts=64",
            "train_every=4",
            "updates=1",
            "batch_size=8",
            "hidden=16",
            "eval_every=0",
        ]
        args = ["run", "dqn", "--out", str(out), "--quiet", "--steps", "400", *[a for s in sets for a in ("--set", s)]]
        assert cli_main(args) == 0
        state = torch.load(out / "checkpoint.pt", weights_only=True)["state"]
        counts[num_envs] = state["updates"] / (state["step"] - 64)
    assert abs(counts[1] - 0.25) < 0.02 and abs(counts[8] - 0.25) < 0.04, counts


def test_ale_threads_are_one_per_usable_core_and_pinned_only_when_every_core_is_usable():
    every = os.sched_getaffinity(0)
    assert ale_threads(64) == (len(every), 0 if every == set(range(os.cpu_count())) else -1)
    assert ale_threads(1)[0] == 1
    if len(every) < 2:
        pytest.skip("needs two cores to restrict this process to one")
    os.sched_setaffinity(0, {max(every)})
    try:
        assert ale_threads(64) == (1, -1)  # pinning to core 0 would leave the allowed core unused
    finally:
        os.sched_setaffinity(0, every)


def test_evaluate_and_record_buttons_act_while_training(tmp_path):
    manifest = find("dqn")
    cfg = build_config(manifest, ["steps=300", "eval_every=0", "eval_episodes=2", "learning_starts=5000"])
    run = Run(manifest, cfg, device="cpu", out_dir=tmp_path, on_nonfinite="stop")
    run.act("evaluate")  # these arrive with the first snapshot, as a click would
    run.act("record")
    run.change(epsilon=0.5)
    assert run.run().state == "finished", run.error
    metrics = read_metrics(tmp_path / "metrics.csv")
    assert np.isfinite(metrics["eval_return"]).sum() == 1
    assert np.nanmax(metrics["epsilon"][1:]) <= 0.5  # live: the schedule now starts from 0.5
    assert len(list(tmp_path.glob("episode_*.gif"))) == 1


def test_a_live_epsilon_lands_at_the_next_step():
    """Against a same-seed run without the change: the same start, then epsilon 0 is reported and acted
    on: the untrained network's greedy action drops the pole far sooner than random actions."""
    cfg = build_config(find("dqn"), ["steps=1500", "eval_every=0", "learning_starts=5000", "epsilon_schedule=constant"])
    changed, kept = collect(train, cfg, {"epsilon": 0.0}), collect(train, cfg)
    assert changed[1].scalars == kept[1].scalars
    assert {s.scalars["epsilon"] for s in changed[2:] if "epsilon" in s.scalars} == {0.0}
    lengths = [
        [s.scalars["episode_length"] for s in snaps[2:] if "episode_length" in s.scalars] for snaps in (changed, kept)
    ]
    assert np.mean(lengths[0]) < np.mean(lengths[1]) - 5


def test_atari_panel_gets_the_cnn_lens_on_its_own_network():
    from workbench.core.sinks import LatestSink

    manifest = find("dqn")
    cfg = build_config(
        manifest,
        [
            "env=ALE/Pong-v5",
            "num_envs=1",
            "buffer_size=500",
            "learning_starts=100",
            "hidden=32",
            "eval_every=0",
            "noop_max=0",
            "steps=60",
        ],
    )
    latest = LatestSink()
    assert Run(manifest, cfg, device="cpu", sinks=[latest]).run().state == "finished"
    _, maps = latest.read("feature_maps")
    _, cam = latest.read("grad_cam")
    assert maps is not None and maps.ndim >= 2 and maps.shape[0] > 84  # a grid of the 32 conv1 maps
    assert cam is not None and cam.ndim == 3 and cam.shape[2] == 3 and np.ptp(cam) > 0
