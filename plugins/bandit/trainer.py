"""The 10-armed testbed (Sutton & Barto, section 2.3): every agent faces the same ``runs`` bandit
problems, and the curves are averages over them, one step per snapshot."""

from __future__ import annotations

import time
from collections.abc import Generator

import numpy as np

from workbench.core.driver import RunContext
from workbench.core.snapshot import Snapshot
from workbench_plugins.bandit.agents import VectorAgent, comparison, single
from workbench_plugins.bandit.chart import curve_chart
from workbench_plugins.bandit.config import Config

AGENT_TABLES = ("q", "n", "h", "avg_reward")  # what an agent has learned: kept in checkpoints
ARRAYS_EVERY_S = 0.05  # bar views and the recorded chart refresh at a rate a user can watch


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # seeding: one stream for the problems, one per agent for its choices
    rng = np.random.default_rng(cfg.seed)
    q_star = rng.normal(cfg.mean, 1.0, size=(cfg.runs, cfg.k))
    specs = comparison(cfg)
    agents = [VectorAgent(spec, cfg.runs, cfg.k) for spec in specs]
    agent_rngs = [np.random.default_rng([cfg.seed, i]) for i in range(len(agents))]
    rows = np.arange(cfg.runs)
    sums = {key: np.zeros((len(agents), cfg.steps)) for key in ("reward", "optimal")}
    start = 0
    if ctx.resume is not None:  # every step ends where the next can start exactly
        start = int(ctx.resume["t"])
        q_star[:] = np.asarray(ctx.resume["q_star"])
        rng.bit_generator.state = ctx.resume["rng"]
        for agent, arng, state in zip(agents, agent_rngs, ctx.resume["agents"], strict=True):
            for name in AGENT_TABLES:
                getattr(agent, name)[:] = np.asarray(state[name])
            arng.bit_generator.state = state["rng"]
        for key in sums:  # the curves so far (a resume may run for more steps)
            sums[key][:, :start] = np.asarray(ctx.resume[key])[:, :start]
    done = start  # steps finished
    ctx.keep_state(
        lambda: {
            "t": done,
            "q_star": q_star,
            "rng": rng.bit_generator.state,
            **sums,
            "agents": [
                {**{name: getattr(agent, name) for name in AGENT_TABLES}, "rng": arng.bit_generator.state}
                for agent, arng in zip(agents, agent_rngs)
            ],
        }
    )
    last_arrays = 0.0
    try:
        for t in range(start, cfg.steps):
            # ALGO LOGIC: each agent acts in every problem at once, then learns from its rewards
            best = q_star.argmax(axis=1)
            noise = rng.normal(size=(cfg.runs,))  # the same draw for every agent (common random numbers)
            for i, (agent, arng) in enumerate(zip(agents, agent_rngs)):
                actions = agent.act(t, arng)
                rewards = q_star[rows, actions] + noise
                agent.learn(actions, rewards, t)
                sums["reward"][i, t] = rewards.mean()
                sums["optimal"][i, t] = 100.0 * (actions == best).mean()
            if cfg.walk_std > 0:  # nonstationary arms (Exercise 2.5)
                q_star += rng.normal(0.0, cfg.walk_std, size=q_star.shape)
            # SNAPSHOT: the first agent under the plain names, every agent under name/label;
            # epsilon only where it moves or was chosen (a comparison's first agent's is no one's setting)
            scalars = {"avg_reward": sums["reward"][0, t], "pct_optimal": sums["optimal"][0, t]}
            if len(agents) == 1 and agents[0].spec.kind == "epsilon-greedy":
                scalars["epsilon"] = agents[0].spec.epsilon_at(t)
            if len(agents) > 1:
                for i, agent in enumerate(agents):
                    scalars[f"avg_reward/{agent.spec.label}"] = sums["reward"][i, t]
                    scalars[f"pct_optimal/{agent.spec.label}"] = sums["optimal"][i, t]
                    if cfg.compare == "schedules":
                        scalars[f"epsilon/{agent.spec.label}"] = agent.spec.epsilon_at(t)
            arrays = {}
            now = time.perf_counter()
            if now - last_arrays > ARRAYS_EVERY_S or t == cfg.steps - 1:
                last_arrays = now
                first = agents[0]
                estimates = first.h[0] if first.spec.kind == "gradient" else first.q[0]
                arrays = {
                    "estimates": estimates.copy(),
                    "true_values": q_star[0].copy(),
                    "arm_counts": first.n[0].copy(),
                    "chart": curve_chart(sums["optimal"][:, : t + 1], [a.spec.label for a in agents], cfg.steps),
                }
            done = t + 1
            yield Snapshot(done, scalars=scalars, arrays=arrays, progress=done / cfg.steps)
            if ctx.config is not cfg:
                cfg = ctx.config
                if cfg.compare == "none":  # live sliders retune the single agent
                    agents[0].spec = single(cfg)
    finally:  # the curves so far, also when stopped early
        ctx.save_array("avg_reward", sums["reward"])
        ctx.save_array("pct_optimal", sums["optimal"])
