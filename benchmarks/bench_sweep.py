"""Sweeps at scale: the local pool against the same trials one after another, Ray against the
local pool, and ASHA against the full grid of a DQN learning-rate search.

    nice -n 10 .venv/bin/python benchmarks/bench_sweep.py
Goals: the local pool >= 1.8x faster than one trial after another (8 short TD-control trials);
Ray on a local instance within 15% of the local pool's time; ASHA on 16 DQN CartPole learning
rates finds a best final return within 5% of the full grid's with <= 50% of its environment steps.

Each side of a comparison runs in a fresh interpreter (``--side``), the sides' order turned
round every round, and the ratios are medians over ``--rounds``: no side finds modules, workers
or a Ray instance the other left. "One after another" runs ``run_trial`` in that process in a
loop, the cheapest way there is (no worker to start). The pool's time starts before the sweep
is built, so it includes starting the server that forks the workers. Ray's time is given with
its start (``ray.init`` inside the sweep) and on a running instance (``ray-warm``: started
before the timing, as a user with a cluster or an earlier sweep has it; its start is printed
apart). CPU seconds are this process's and the processes it waited for: for the pool, its
workers (through their server); for Ray, only the driver (Ray's own processes are not counted).
A DQN trial's final return is the mean of its last 10 episode returns; steps used are the last
step each trial reached.

Measured 2026-12-02 on the idle 2-core machine (load 0.5-1.3), 8 trials of 3,000 episodes, 3
rounds: one after another 6.7 s, the pool 3.5 s with its workers forked straight from the sweep's
process: 1.91x (1.83x in two earlier runs of 5 rounds). Ray runs a sweep without a scheduler as
plain Ray tasks: 3.9 s on a running instance, 1.13x the pool's time (1.01x in 2 rounds on a loaded
machine; under Tune, before, 2.1x: Tune's controller and its actors' start); 8.1 s with its start
(2.29x: ``ray.init`` alone took 2.2-3.7 s, and the workers it starts import the trial code). On a
loaded machine the kernel shares the CPU by session (sched_autogroup_enabled=1), so one command's
processes get one share however many there are and wall-clock ratios say little.
ASHA, with the lab's DQN defaults of 2026-12-02 (a [64, 64] MLP, 32 updates of 256 every 256
steps): the grid's best final return 163.6 in 160,347 steps; ASHA's best 131.6 (80%, goal >= 95%)
in 78,508 (49%), 13 of 16 pruned. With the earlier defaults and epsilon decaying over 2,000 steps
it was 100% in 27% once and 42.5% in 32% another time. The final figure is one seed's mean of 10
training episodes: in one grid lr 1e-4 sat at a return of 10-15 until step 3,333 and ended the
best at 306, which no rung can foresee; a steadier figure (seeds per setting, or greedy
evaluations) would let this comparison say more about ASHA than about luck.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from workbench.core.manifest import find
from workbench.core.runs import read_curves
from workbench.core.sweep import Sweep, read_sweep
from workbench.core.sweep_spec import SweepSpec, plan
from workbench.core.sweep_trial import TrialTask, run_trial

SIDES = ("serial", "pool", "ray", "ray-warm")
TD_SETS = ["render=false"]
TD_GRID = {"alpha": ["0.1", "0.2", "0.4", "0.6"]}
# learning and exploring early enough that ASHA's first rung (a ninth of the budget, 1,111 steps)
# sees trials past their exploration
DQN_SETS = ["eval_every=0", "learning_starts=250", "epsilon_duration=1000"]


def td_spec(episodes: int) -> SweepSpec:
    return SweepSpec("td-control", grid=TD_GRID, seeds=[0, 1], sets=[*TD_SETS, f"episodes={episodes}"])


def cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_after_another(spec: SweepSpec, out: Path) -> float:
    manifest = find(spec.plugin)
    start = time.perf_counter()
    for trial in plan(spec, manifest.config_class()):
        record = run_trial(
            TrialTask(trial.id, manifest, trial.values, str(out / trial.id), metric=spec.metric), lambda: False
        )
        assert record["state"] == "finished", record
    return time.perf_counter() - start


def timed_sweep(spec: SweepSpec, out: Path, **options) -> tuple[float, Sweep]:
    start = time.perf_counter()
    sweep = Sweep(spec, out, **options)
    counts = sweep.run()
    assert set(counts) <= {"finished", "pruned"}, counts
    return time.perf_counter() - start, sweep


def final_return(run_dir: Path, last: int = 10) -> float:
    returns = read_curves(run_dir).get("episode_return", np.empty(0))
    returns = returns[np.isfinite(returns)]
    return float(np.mean(returns[-last:])) if len(returns) else float("nan")


def dqn_figures(out: Path) -> tuple[float, int, int]:
    """The best trial's final return, the environment steps all trials used (the last row of
    each metrics.csv), and the trials pruned."""
    trials = read_sweep(out)["trials"]
    best = max(final_return(out / r["id"]) for r in trials if r["state"] == "finished")
    steps = sum(int(read_curves(out / r["id"])["step"][-1]) for r in trials)
    return best, steps, sum(r["state"] == "pruned" for r in trials)


def one_side(side: str, episodes: int, out: Path) -> dict[str, float]:
    """One side of a comparison, timed in this (fresh) process: its wall time and CPU time, and
    for Ray on a running instance, how long starting that instance took before the timing."""
    spec = td_spec(episodes)
    cpu = cpu_seconds()
    figures: dict[str, float] = {}
    if side == "serial":
        wall = one_after_another(spec, out)
    elif side == "pool":
        wall, _ = timed_sweep(spec, out, workers=2)
        # ended and waited for, the server that forked the workers adds their CPU time to ours
        multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]
    elif side == "ray":
        wall, _ = timed_sweep(spec, out, backend="ray", workers=2)
    else:  # ray-warm: the instance a user with a cluster (or an earlier sweep) already has
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        figures["init"] = time.perf_counter() - start
        wall, _ = timed_sweep(spec, out, backend="ray", workers=2)
    return {"wall": wall, "cpu": cpu_seconds() - cpu, **figures}


def run_side(side: str, episodes: int, root: Path, round_: int) -> dict[str, float]:
    """``side`` in a fresh interpreter, so no side finds modules, workers or Ray already there."""
    out = root / f"{side}-{round_}"
    cmd = [sys.executable, __file__, "--side", side, "--episodes", str(episodes), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def compare(sides: list[str], episodes: int, root: Path, rounds: int) -> dict[str, list[dict[str, float]]]:
    """Each side ``rounds`` times, the order turned round every round (no side always goes first
    on a machine that warms up or gets busier)."""
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for r in range(rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            results[side].append(run_side(side, episodes, root, r))
            print(f"  round {r + 1} {side}: {results[side][-1]}", flush=True)
    return results


def median(results: list[dict[str, float]], key: str) -> float:
    return float(np.median([r[key] for r in results]))


def ratio(results: dict[str, list[dict[str, float]]], top: str, bottom: str) -> float:
    """The median of the per-round ratios (each round's two sides ran back to back)."""
    return float(np.median([a["wall"] / b["wall"] for a, b in zip(results[top], results[bottom], strict=True)]))


def report_pool_and_ray(sides: list[str], episodes: int, root: Path, rounds: int) -> None:
    results = compare(sides, episodes, root, rounds)
    times = ", ".join(
        f"{s} {median(results[s], 'wall'):.1f}s ({median(results[s], 'cpu'):.1f} CPU s{' in the driver' * s.startswith('ray')})"
        for s in sides
    )
    print(f"8 TD-control trials of {episodes} episodes, medians of {rounds} rounds: {times}", flush=True)
    if "serial" in results:
        print(
            f"local pool (2 workers): {ratio(results, 'serial', 'pool'):.2f}x faster than one after another "
            "(goal >= 1.8x)",
            flush=True,
        )
    if "ray" in results:
        print(
            f"Ray, starting its local instance: {ratio(results, 'ray', 'pool'):.2f}x the pool's time (goal <= 1.15x)",
            flush=True,
        )
    if "ray-warm" in results:
        print(
            f"Ray on a running instance (its start, {median(results['ray-warm'], 'init'):.1f}s, not timed): "
            f"{ratio(results, 'ray-warm', 'pool'):.2f}x the pool's time (goal <= 1.15x)",
            flush=True,
        )
    print(f"load average now {os.getloadavg()[0]:.1f}", flush=True)


def compare_asha(root: Path, steps: int) -> None:
    lrs = [f"{lr:.3g}" for lr in np.geomspace(1e-4, 1e-2, 16)]
    full_s, _ = timed_sweep(
        SweepSpec("dqn", grid={"lr": lrs}, sets=DQN_SETS, steps=steps), root / "dqn-grid", backend="ray", workers=2
    )
    asha = SweepSpec("dqn", grid={"lr": lrs}, sets=DQN_SETS, steps=steps, scheduler="asha")
    asha_s, _ = timed_sweep(asha, root / "dqn-asha", backend="ray", workers=2)
    best_grid, steps_grid, _ = dqn_figures(root / "dqn-grid")
    best_asha, steps_asha, pruned = dqn_figures(root / "dqn-asha")
    print(
        f"DQN CartPole, 16 learning rates x {steps} steps: full grid best final return {best_grid:.1f} "
        f"in {steps_grid} steps ({full_s:.0f}s); ASHA best {best_asha:.1f} ({best_asha / best_grid:.1%} of the grid's, "
        f"goal >= 95%) in {steps_asha} steps ({steps_asha / steps_grid:.0%}, goal <= 50%; {pruned} pruned; "
        f"{asha_s:.0f}s)",
        flush=True,
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--episodes", type=int, default=3000, help="episodes of each TD-control trial")
    p.add_argument("--dqn-steps", type=int, default=10000, help="environment steps of each DQN trial")
    p.add_argument("--rounds", type=int, default=3, help="times each side of a comparison runs")
    p.add_argument("--parts", default="serial,pool,ray,ray-warm,asha", help="the sides and comparisons to run")
    p.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # one side, in a process of its own
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.side:
        print(json.dumps(one_side(args.side, args.episodes, args.out)))
        return 0
    parts = args.parts.split(",")
    root = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; folders in {root}", flush=True)
    sides = [s for s in SIDES if s in parts]
    if sides:
        report_pool_and_ray(sides, args.episodes, root, args.rounds)
    if "asha" in parts:
        compare_asha(root, args.dqn_steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
