"""Sweeps at scale: the local pool against the same trials one after another, Ray against the
local pool, and ASHA against the full grid of a DQN learning-rate search.

    nice -n 10 .venv/bin/python benchmarks/bench_sweep.py
    nice -n 10 .venv/bin/python benchmarks/bench_sweep.py --parts replay --grids DIR --dqn-steps N
Goals: the local pool >= 1.8x faster than one trial after another (8 short TD-control trials);
Ray on a local instance within 15% of the local pool's time; ASHA on 16 DQN CartPole learning
rates finds a setting whose figure is within 5% of the full grid's best with <= 50% of its
environment steps.

Each side of a comparison runs in a fresh interpreter (``--side``), the sides' order turned
round every round, and the ratios are medians over ``--rounds``: no side finds modules, workers
or a Ray instance the other left. "One after another" runs ``run_trial`` in that process in a
loop, the cheapest way there is (no worker to start). The pool's time starts before the sweep
is built, so it includes starting the server that forks the workers. Ray's time is given with
its start (``ray.init`` inside the sweep) and on a running instance (``ray-warm``: started
before the timing, as a user with a cluster or an earlier sweep has it; its start is printed
apart). CPU seconds are this process's and the processes it waited for: for the pool, its
workers (through their server); for Ray, only the driver (Ray's own processes are not counted).
A DQN trial's figure is the mean of its last 3 greedy evaluations (the lab's, 10 episodes each),
made every ninth of the budget: each of ASHA's rungs (a ninth and a third) sees one made at its
step, and ASHA ranks by that metric. Steps used are the last training step each trial reached;
the lab counts no evaluation step, so the evaluation episodes' steps are given apart. ``noise``
runs the grid on 3 seeds and sets a setting's spread over seeds against that of the settings.

Measured 2026-12-02 on the idle 2-core machine (load 0.5-1.3), 8 trials of 3,000 episodes, 3
rounds: one after another 6.7 s, the pool 3.5 s with its workers forked straight from the sweep's
process: 1.91x (1.83x in two earlier runs of 5 rounds). Ray runs a sweep without a scheduler as
plain Ray tasks: 3.9 s on a running instance, 1.13x the pool's time (1.01x in 2 rounds on a loaded
machine; under Tune, before, 2.1x: Tune's controller and its actors' start); 8.1 s with its start
(2.29x: ``ray.init`` alone took 2.2-3.7 s, and the workers it starts import the trial code). On a
loaded machine the kernel shares the CPU by session (sched_autogroup_enabled=1), so one command's
processes get one share however many there are and wall-clock ratios say little. Again 2026-12-03:
the pool 1.94x (3 rounds); Ray on a running instance 1.11x the pool's time (5 rounds, 1.06-1.21x
each), 2.26x with its start. The benchmark must not import Ray at its top: it did from 2026-12-02
to 2026-12-03, and a process with Ray loaded forks the pool's workers through a server (the app's
way, ``sweep_pool.worker_context``), not straight from itself as the command line does, which
measured the pool at 1.46x (8.8 CPU s, not 7.1).
ASHA, measured 2026-12-02 with ``--parts asha`` (``--dqn-seeds``, ``--dqn-steps``), 16 learning
rates, a trial's figure the mean of its last 10 greedy evaluations (what ASHA ranks it by), with
the lab's target network then copied once per burst of updates:

    steps   seed  the grid's best      ASHA's best             ASHA's steps
    18,000  0     134.9 (lr 2.93e-3)   126.1 (7.36e-3), 93.5%   36% (12 of 16 pruned)
    18,000  1     179.2 (5.41e-3)      133.6 (3.98e-3), 74.6%   40% (11 pruned)
    18,000  2     224.1 (3.98e-3)      224.1 (3.98e-3), 100%    36% (12 pruned)
    36,000  0     250.8 (5.41e-3)      240.7 (7.36e-3), 96.0%   26% (14 pruned)
    50,000  0     318.7                263.0, 82.5%             32% (15 pruned)

By the mean of the last 3 evaluations, the figure judged before, ASHA got 86.3%, 40.8%, 86.7%,
68.2% and 54.8% in these runs. With the lab's soft target (tau 0.02 each update), its default
since, on seeds 0, 1 and 2: 100%, 88.8% and 100% at 18,000 steps (26-42% of the steps), 96.0%,
100% and 100% at 36,000 (35-36%), 83.7%, 91.3% and 82.5% at 50,000 (25-32%; 13-15 of 16
pruned). The goal (>= 95% in <= 50%) is met in 2 of the first 5 runs and 5 of these 9. The grid's best is the
largest of 16 noisy figures: over seeds 0-2 the 8 best settings' figure moves by a std of 31
from seed to seed while their seed means lie a std of 28 apart (63 against 33 for the last 3
evaluations), and the best lr was 2.93e-3, 5.41e-3 and 3.98e-3 on the three seeds: which setting
is best on one seed, and so "within 5% of the best", is largely luck.

Over ten seeds, 2026-12-03, ``--parts asha --dqn-seeds 0,1,2,3,4,5,6,7,8,9 --dqn-steps 36000``:
ASHA's best was 96.0%, 90.9%, 100%, 82.6%, 100%, 96.4%, 100%, 60.2%, 81.4% and 100% of the grid's
best, in 22-40% of its steps: the goal met on 6 of 10 seeds (an earlier run, whose trials reached
the rungs in another order, also 6 of 10). Judged as settings (each learning rate's figure averaged
over the ten grids) ASHA found the best, 2.93e-3 (206.5), on 5 seeds and one at 84-86% of it on the
others; no other learning rate is within 5% of it. On 7 of the 10 seeds only one of the 16 trials
ends within 5% of the grid's best, and the best placed of those ranks 1st-8th at the first rung (a
ninth) and 1st-6th at a third. Replayed on the stored curves, the fixed plan that keeps 8 at a
ninth and 6 at a third meets the goal on all ten seeds in 47% of the steps, and on 7 if it keeps 5
at a third: a plan fitted to these seeds, not one ASHA's single reduction factor gives. Halving at
two ninths and four ninths (reduction 2, set by a scratch script) met the goal on 5 of 10 in 42-52%
of the steps, failing on the same seeds. Neither a longer exploration (over 4,000 steps, not 1,000:
a grid on the same seeds gave a seed-to-seed std of 46 for the 8 best settings, against 19 between
their means; 49 and 19 with 1,000) nor the lab's 80,000 steps judged by the last third of the
evaluations (seed 0: the grid's best 500, ASHA's 133, as trials that had solved CartPole fell back)
made the figure steadier. Before a trial waited at its rung for Tune's verdict, trials stopped at
2,000 steps had trained on to 3,073-4,001.

Could another setting of ASHA meet the goal? ``--parts replay --grids DIR`` runs Ray's own
ASHAScheduler again over the grids an earlier run stored in DIR (its trials reporting their
figure at each rung, two at a time on a clock of training steps, in shuffled orders). In the
trials' own start order it gives the same count as the real ASHA runs above (6 of 10; 8 of the
10 seeds alike, seeds 0 and 1 swapped). Over the ten seeds' grids, five orders each (50 searches):
ASHA's setting (a ninth, reduction 3) meets the goal in 28; the best of 16 settings (grace a ninth,
a sixth, two ninths or a quarter of the budget; reduction 1.5, 2, 3 or 4) in 30 (a ninth, 4); a
later first rung finds a 95% trial more often (at most 41 of 50) but its steps then pass 50%.
On ten more seeds, 10-19 (``--parts asha,replay --dqn-seeds 10,...,19 --dqn-steps 36000``), ASHA's
best was 81.3%, 100%, 100%, 95.9%, 90.7%, 94.2%, 100%, 88.1%, 100% and 61.0% of the grid's, in
22-47% of its steps: met on 5 of 10 (judged as settings, 7 of 10: two settings lie within 5% of the
best there). Replayed over those grids the sweep's setting met it in 34 of 50 searches, the best
(reduction 2) in 35. Over the twenty seeds the sweep's setting meets it in 62 of 100 searches and
no other does better: the limit is the seeds' noise, not the scheduler's settings. A search of 8
learning rates x 2 seeds judged by the settings' seed means (the same 16 trials' budget, replayed
over pairs of these grids by a scratch script) met it in 38 of 50.
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import json
import multiprocessing.forkserver
import os
import random
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
from workbench.core.sweep_pool import worker_context
from workbench.core.sweep_spec import SweepSpec, plan
from workbench.core.sweep_trial import RECENT, TrialTask, run_trial

SIDES = ("serial", "pool", "ray", "ray-warm")
TD_SETS = ["render=false"]
TD_GRID = {"alpha": ["0.1", "0.2", "0.4", "0.6"]}
# learning and exploring early enough that ASHA's first rung (a ninth of the budget) sees trials
# past their exploration
DQN_SETS = ["learning_starts=250", "epsilon_duration=1000"]
DQN_LRS = [f"{lr:.3g}" for lr in np.geomspace(1e-4, 1e-2, 16)]
DQN_METRIC = "eval_return"
"""The mean return of the lab's greedy evaluation episodes: what ASHA ranks trials by, and the
judged figure, the policy itself without its exploration."""
FIGURES = {"greedy": (DQN_METRIC, RECENT), "last 3 greedy": (DQN_METRIC, 3), "training": ("episode_return", 10)}
"""A trial's figure: the mean of its last values of a metric. The judged one, greedy: the mean of
its last ``RECENT`` evaluations, the value ASHA ranks it by (with one every ninth of the budget,
all of them: the area under its greedy curve); those of its last third alone, judged before;
training: its last 10 epsilon-greedy training episodes, judged before that."""
REPLAY_GRACES = (1 / 9, 1 / 6, 2 / 9, 1 / 4)
REPLAY_FACTORS = (1.5, 2.0, 3.0, 4.0)
REPLAY_ORDERS = 5
"""The ASHA settings the replay tries (grace periods as shares of the budget, reduction factors),
each with trials started in this many shuffled orders."""
NOISE_SEEDS = [0, 1, 2]
NOISE_TOP = 8
"""The settings whose seeds' spread the noise part compares: the best half (the rest never learn
at this budget, and their flat 9-10 would pass for steadiness)."""


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


def dqn_sets(steps: int) -> list[str]:
    """A greedy evaluation every ninth of the budget: each of ASHA's rungs (a ninth, a third) and
    the end sees one made at that very step, not one from thousands of steps before."""
    return [*DQN_SETS, f"eval_every={max(1, steps // 9)}"]


def last_values(curves: dict[str, np.ndarray], metric: str) -> np.ndarray:
    values = curves.get(metric, np.empty(0))
    return values[np.isfinite(values)]


def figure(curves: dict[str, np.ndarray], kind: str = "greedy") -> float:
    metric, last = FIGURES[kind]
    return float(np.mean(last_values(curves, metric)[-last:]))


def dqn_figures(out: Path) -> tuple[dict[str, dict[str, float]], int, int, int]:
    """Per kind of figure, each finished trial's by learning rate; the training steps all trials
    used (the last row of each metrics.csv: the lab counts no evaluation step), the steps of their
    evaluation episodes (a CartPole return is its length), and the trials pruned."""
    trials = read_sweep(out)["trials"]
    curves = {r["id"]: read_curves(out / r["id"]) for r in trials}  # each metrics.csv read once
    finished = [r for r in trials if r["state"] == "finished"]
    figures = {kind: {r["settings"]["lr"]: figure(curves[r["id"]], kind) for r in finished} for kind in FIGURES}
    steps = sum(int(c["step"][-1]) for c in curves.values())
    episodes = find("dqn").config_class().eval_episodes  # the lab's, which the benchmark keeps
    eval_steps = round(sum(last_values(c, DQN_METRIC).sum() for c in curves.values()) * episodes)
    return figures, steps, eval_steps, sum(r["state"] == "pruned" for r in trials)


def one_side(side: str, episodes: int, out: Path) -> dict[str, float]:
    """One side of a comparison, timed in this (fresh) process: its wall time and CPU time, and
    for Ray on a running instance, how long starting that instance took before the timing."""
    spec = td_spec(episodes)
    cpu = cpu_seconds()
    figures: dict[str, float] = {}
    if side == "serial":
        wall = one_after_another(spec, out)
    elif side == "pool":
        # as from the command line: workers forked straight from this process, which a module
        # that starts threads (Ray, torch) loaded here would turn into forks through a server
        method = worker_context().get_start_method()
        assert method == "fork" or sys.platform != "linux", f"the pool would start its workers by {method}"
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


def dqn_grid(steps: int, seeds: list[int] | None = None) -> SweepSpec:
    return SweepSpec("dqn", grid={"lr": DQN_LRS}, seeds=seeds, sets=dqn_sets(steps), steps=steps, metric=DQN_METRIC)


def compare_asha(root: Path, steps: int, seed: int) -> tuple[dict[str, float], str]:
    """The grid and ASHA on one seed; the grid's figure of each learning rate, and the learning
    rate ASHA finds (its best finished trial)."""
    grid = dqn_grid(steps, [seed])
    root = root / f"seed-{seed}"
    full_s, _ = timed_sweep(grid, root / "dqn-grid", backend="ray", workers=2)
    asha_s, _ = timed_sweep(dataclasses.replace(grid, scheduler="asha"), root / "dqn-asha", backend="ray", workers=2)
    grid_figures, steps_grid, evals_grid, _ = dqn_figures(root / "dqn-grid")
    asha_figures, steps_asha, evals_asha, pruned = dqn_figures(root / "dqn-asha")
    best_grid, best_asha = max(grid_figures["greedy"].values()), max(asha_figures["greedy"].values())
    ranked = sorted(grid_figures["greedy"].items(), key=lambda item: -item[1])
    print("the grid's figures: " + ", ".join(f"lr {lr} {v:.0f}" for lr, v in ranked), flush=True)
    finished = ", ".join(f"lr {lr} {v:.0f}" for lr, v in asha_figures["greedy"].items())
    print(f"ASHA's finished trials: {finished}", flush=True)
    print(
        f"DQN CartPole, seed {seed}, 16 learning rates x {steps} steps: full grid best {best_grid:.1f} in {steps_grid} steps "
        f"({full_s:.0f}s); ASHA best {best_asha:.1f} ({best_asha / best_grid:.1%} of the grid's, goal >= 95%) in "
        f"{steps_asha} steps ({steps_asha / steps_grid:.0%}, goal <= 50%; {pruned} pruned; {asha_s:.0f}s); "
        f"with the evaluation episodes' steps {(steps_asha + evals_asha) / (steps_grid + evals_grid):.0%}",
        flush=True,
    )
    for kind in FIGURES:
        if kind != "greedy":
            best_grid, best_asha = max(grid_figures[kind].values()), max(asha_figures[kind].values())
            print(f"by the {kind} figure: ASHA {best_asha:.1f}, the grid {best_grid:.1f}: {best_asha / best_grid:.1%}")
    found = max(asha_figures["greedy"], key=lambda lr: asha_figures["greedy"][lr])
    return grid_figures["greedy"], found


def judge_as_settings(grids: dict[int, dict[str, float]], found: dict[int, str]) -> None:
    """ASHA's finds judged as settings: each learning rate's figure is its mean over the seeds'
    grids, what a person who takes the setting on to new seeds can expect. On one seed "the grid's
    best" is the luckiest of 16 runs (see ``seed_noise``); this asks whether ASHA finds a setting as
    good as the best one."""
    means = {lr: float(np.mean([grid[lr] for grid in grids.values()])) for lr in DQN_LRS}
    best = max(means, key=lambda lr: means[lr])
    shares = [means[lr] / means[best] for lr in found.values()]
    picks = ", ".join(f"seed {seed} lr {lr} {means[lr] / means[best]:.1%}" for seed, lr in found.items())
    print(
        f"judged as settings (each lr's figure averaged over the {len(grids)} seeds' grids; the best, lr {best}, "
        f"{means[best]:.1f}): {picks}; within 5% on {sum(s >= 0.95 for s in shares)} of {len(shares)} seeds",
        flush=True,
    )
    near = [lr for lr in DQN_LRS if means[lr] >= 0.95 * means[best]]
    print(f"settings within 5% of the best: {len(near)} of {len(DQN_LRS)} ({', '.join(near)})", flush=True)


@dataclasses.dataclass(frozen=True)
class _Replayed:
    trial_id: str  # all of a trial that Ray's ASHA reads


def figure_at(curves: dict[str, np.ndarray], step: int) -> float:
    """A trial's figure as its run reported it at ``step``: of the evaluations made by then."""
    return figure({DQN_METRIC: curves[DQN_METRIC][curves["step"] <= step]})


def replay_asha(
    curves: list[dict[str, np.ndarray]], steps: int, grace: int, factor: float, order: int
) -> tuple[float, float]:
    """Ray's own ASHAScheduler run again over a grid's stored curves: 2 workers, the trials started
    in a shuffled order, each reporting its figure at each rung as a sweep's trial does, on a clock
    of training steps. ASHA's best finished trial's figure as a share of the grid's best, and the
    share of the grid's steps it used."""
    from ray.tune.schedulers import ASHAScheduler, TrialScheduler  # here: the pool's side forks only without Ray

    scheduler = ASHAScheduler(
        time_attr="step", metric=DQN_METRIC, mode="max", max_t=steps, grace_period=grace, reduction_factor=factor
    )
    reports = sorted(int(rung) for rung, _ in scheduler._brackets[0]._rungs if rung < steps) + [steps]
    waiting = list(range(len(curves)))
    random.Random(order).shuffle(waiting)
    clock: list[tuple[int, int, int]] = []  # (when, trial, the step it reports at next)
    ended: dict[int, int] = {}

    def start(now: int) -> None:
        if waiting:
            trial = waiting.pop(0)
            scheduler.on_trial_add(None, _Replayed(str(trial)))  # type: ignore[arg-type]
            heapq.heappush(clock, (now + reports[0], trial, reports[0]))

    start(0)
    start(0)
    while clock:
        now, trial, step = heapq.heappop(clock)
        result = {"step": step, DQN_METRIC: figure_at(curves[trial], step)}
        verdict = scheduler.on_trial_result(None, _Replayed(str(trial)), result)  # type: ignore[arg-type]
        if step < steps and verdict == TrialScheduler.CONTINUE:
            following = reports[reports.index(step) + 1]
            heapq.heappush(clock, (now + following - step, trial, following))
        else:
            ended[trial] = step
            start(now)
    final = [figure_at(c, steps) for c in curves]
    best_asha = max(final[t] for t, step in ended.items() if step == steps)
    return best_asha / max(final), sum(ended.values()) / (steps * len(curves))


def report_replays(root: Path, steps: int) -> None:
    """ASHA replayed over every seed's stored grid (``seed-*/dqn-grid`` under ``root``) for each
    grace period and reduction factor of the replay's table: how often each meets the goal.
    Whether any setting of ASHA would meet it, asked of the same curves, not of new runs."""
    from workbench.core.sweep_tune import REDUCTION, rungs

    grids = sorted(root.glob("seed-*/dqn-grid"))
    curves = [[read_curves(g / r["id"]) for r in read_sweep(g)["trials"]] for g in grids]
    print(f"ASHA replayed over the grids of {len(grids)} seeds, {REPLAY_ORDERS} start orders each:", flush=True)
    for grace in REPLAY_GRACES:
        for factor in REPLAY_FACTORS:
            runs = [
                replay_asha(c, steps, round(grace * steps), factor, o) for c in curves for o in range(REPLAY_ORDERS)
            ]
            met = sum(share >= 0.95 and used <= 0.5 for share, used in runs)
            found = sum(share >= 0.95 for share, _ in runs)
            used = [u for _, u in runs]
            mark = " (the sweep's)" if round(grace * steps) == rungs(steps)[0] and factor == REDUCTION else ""
            print(
                f"  grace {grace:.3f} of the budget, reduction {factor:g}{mark}: goal met in {met} of {len(runs)}; "
                f">= 95% in {found}; steps {np.mean(used):.0%} (at most {max(used):.0%})",
                flush=True,
            )


def seed_noise(root: Path, steps: int) -> None:
    """The grid on a few seeds: how far one setting's figure moves from seed to seed against how
    far the best settings' seed means lie apart, for either figure; where the first is the larger,
    which setting is best on one seed, and so "within 5% of the best", is luck."""
    timed_sweep(dqn_grid(steps, NOISE_SEEDS), root / "dqn-seeds", workers=2)
    trials = read_sweep(root / "dqn-seeds")["trials"]
    curves = [(r["settings"]["lr"], read_curves(root / "dqn-seeds" / r["id"])) for r in trials]
    for kind in FIGURES:
        by_seed = np.array([[figure(c, kind) for trial_lr, c in curves if trial_lr == lr] for lr in DQN_LRS])
        top = by_seed[np.argsort(-by_seed.mean(axis=1))[:NOISE_TOP]]
        best = ", ".join(DQN_LRS[i] for i in by_seed.argmax(axis=0))
        print(
            f"{kind} figure over seeds {NOISE_SEEDS}, the {NOISE_TOP} best settings: std over seeds "
            f"{top.std(axis=1, ddof=1).mean():.0f} (mean over settings), std of their seed means "
            f"{top.mean(axis=1).std(ddof=1):.0f}; the best lr on each seed: {best}",
            flush=True,
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--episodes", type=int, default=3000, help="episodes of each TD-control trial")
    p.add_argument("--dqn-steps", type=int, default=18000, help="environment steps of each DQN trial")
    p.add_argument("--dqn-seeds", default="0", help="seeds of the DQN grid and ASHA, each compared apart: 0,1,2")
    p.add_argument(
        "--grids", type=Path, help="the folder of an earlier run (its seed-*/dqn-grid) to work in, not a new one"
    )
    p.add_argument("--rounds", type=int, default=3, help="times each side of a comparison runs")
    p.add_argument("--parts", default="serial,pool,ray,ray-warm,asha,noise", help="the sides and comparisons to run")
    p.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # one side, in a process of its own
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.side:
        print(json.dumps(one_side(args.side, args.episodes, args.out)))
        return 0
    parts = args.parts.split(",")
    root = args.grids or Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; folders in {root}", flush=True)
    sides = [s for s in SIDES if s in parts]
    if sides:
        report_pool_and_ray(sides, args.episodes, root, args.rounds)
    if "asha" in parts:
        grids, found = {}, {}
        for seed in [int(s) for s in args.dqn_seeds.split(",")]:
            grids[seed], found[seed] = compare_asha(root, args.dqn_steps, seed)
        if len(grids) > 1:
            judge_as_settings(grids, found)
    if "replay" in parts:
        report_replays(root, args.dqn_steps)
    if "noise" in parts:
        seed_noise(root, args.dqn_steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
