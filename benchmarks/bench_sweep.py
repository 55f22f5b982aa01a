"""Sweeps at scale: the local pool against the same trials one after another, Ray against the
local pool, and ASHA against the full grid of a DQN learning-rate search.

    nice -n 10 .venv/bin/python benchmarks/bench_sweep.py
Goals: the local pool >= 1.8x faster than one trial after another (8 short TD-control trials);
Ray on a local instance within 15% of the local pool's time; ASHA on 16 DQN CartPole learning
rates finds a best final return within 5% of the full grid's with <= 50% of its environment steps.

"One after another" runs ``run_trial`` in this process in a loop, the cheapest way there is (no
worker to start). Ray's time is given with its start (``ray.init``) and without (a second sweep
on the instance already running). A DQN trial's final return is the mean of its last 10 episode
returns; steps used are the last step each trial reached.

Measured on the 2-core machine shared with other work (load average 11): one after another
23.8 s (8.3 CPU s), the pool 30.4 s (12.6 CPU s), 0.78x: the cores were taken, two workers got
no more CPU than one process, and starting them (torch, the plugin) cost 4 CPU s more. Ray
28.4 s with its start, 23.5 s on a running instance (0.94x and 0.77x the pool's time). ASHA:
the grid's best final return (249.6, 100%) in 27% of its 161,960 steps, 14 of 16 trials pruned.
"""

from __future__ import annotations

import argparse
import os
import resource
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

TD_SETS = ["render=false"]
TD_GRID = {"alpha": ["0.1", "0.2", "0.4", "0.6"]}
# learning and exploring early enough that ASHA's first rung (a ninth of the budget) tells trials apart
DQN_SETS = ["eval_every=0", "learning_starts=500", "epsilon_duration=2000"]


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
    sweep = Sweep(spec, out, **options)
    start = time.perf_counter()
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


def compare_pool(spec: SweepSpec, root: Path) -> float:
    """The pool's time, after printing it against one trial after another."""
    cpu = cpu_seconds()
    serial = one_after_another(spec, root / "serial")
    cpu_serial, cpu = cpu_seconds() - cpu, cpu_seconds()
    pool, _ = timed_sweep(spec, root / "pool", workers=2)
    cpu_pool = cpu_seconds() - cpu
    print(
        f"8 TD-control trials: one after another {serial:.1f}s ({cpu_serial:.1f} CPU s), local pool (2 workers) "
        f"{pool:.1f}s ({cpu_pool:.1f} CPU s): {serial / pool:.2f}x (goal >= 1.8x); "
        f"load average now {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return pool


def compare_ray(spec: SweepSpec, root: Path, pool: float) -> None:
    import ray

    cold, _ = timed_sweep(spec, root / "ray-cold", backend="ray", workers=2)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        warm, _ = timed_sweep(spec, root / "ray-warm", backend="ray", workers=2)
    finally:
        ray.shutdown()
    print(
        f"Ray on a local instance: {cold:.1f}s with ray.init ({cold / pool:.2f}x the pool's time), "
        f"{warm:.1f}s on a running instance ({warm / pool:.2f}x) (goal <= 1.15x); "
        f"load average now {os.getloadavg()[0]:.1f}",
        flush=True,
    )


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
    p.add_argument("--parts", default="pool,ray,asha", help="the comparisons to run (ray needs pool)")
    args = p.parse_args()
    parts = set(args.parts.split(","))
    root = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; folders in {root}", flush=True)
    spec = td_spec(args.episodes)
    if "pool" in parts:
        pool = compare_pool(spec, root)
        if "ray" in parts:
            compare_ray(spec, root, pool)
    if "asha" in parts:
        compare_asha(root, args.dqn_steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
