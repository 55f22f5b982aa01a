"""Steps/s of one plugin's trainer headless against the same trainer in its GUI panel with all
views refreshing, alternated in one run so machine noise hits both alike.

Rates are steady-state: from the first snapshot at or past a quarter of the steps to the last.
A trainer's first steps in a fresh process are slow (torch and data warm up: the VAE's first
50 steps ran at 16 steps/s, the rest at 88).

    python benchmarks/bench_gui_vs_headless.py --plugin td-control --steps 20000 --set episodes=100000
    python benchmarks/bench_gui_vs_headless.py --all --rounds 3 [--trainer-core 1]
Goals: GUI / headless >= 0.95 for every plugin, and the GUI's event-loop latency (a 5 ms timer's
lateness, see bench_event_loop.py) p99 <= 10 ms while it trains with every view live. ``--all``
runs each registered plugin (DQN on CartPole and on Atari) with the budgets in ``ALL`` and prints
one table.

Both sides' trainers start in a fresh process, as ``workbench run`` and the app start theirs.
Headless runs used to share this script's process: from the second round on they found torch's
kernels warm, and DQN on Atari read 0.86-0.94 (its headless rounds 98, then 112 and 105 steps/s;
in fresh processes 97-104, GUI/headless 0.97-1.05).

Measured 2026-12-03 on the idle 2-core machine, ``--all --rounds 3``: GUI / headless bandit 0.99,
gridworld-dp 0.96, td-control 1.00, dqn 1.00, dqn atari 0.93, policy-gradient 0.98, optimisers
0.99, ddpm 0.98, draw 0.99, gan 0.99, sequence 0.95, vae 0.98, cnn-lens 1.01; event-loop p99
2.6-6.5 ms. Windows under 2 s of training had swung by 10% a round, so every budget in ``ALL``
now trains for 4 s or more. In an earlier run gridworld-dp read 0.85
(0.85, 0.85, 1.09): a trainer's thread stays on the core where it starts, and the two cores here
do not run alike (gridworld-dp's sweeps under ``taskset -c 0``: 2,620-2,720 a second; ``-c 1``:
3,010-3,090, and half an hour later 2,530-2,600 on core 1). ``--trainer-core 1`` moves both
sides' trainer threads to one core at their first snapshot: gridworld-dp 0.99 (4 rounds), then
0.97. DQN on Atari, five runs of 3 rounds: medians 1.01, 1.00, 0.93, 0.98 (``--trainer-core 1``)
and 0.96 (``--trainer-core 1``, 4,000 steps), its rounds 0.90-1.05; its GUI runs at 96-107
steps/s, its headless side at 97-111. With 5 rounds (``--only "dqn atari" --rounds 5``, 4,000
steps): median 0.977, rounds 0.87-1.03, both sides at 67-84 steps/s that hour.

On a machine loaded by other sessions the wall-clock ratio measures something else: Linux shares
the CPU by session (autogroup), so the GUI's process and its trainer split one session's share
while a headless run has it alone (the bandit's GUI, at 0.13 cores, halved its trainer's speed
at load 13). There, read the ratio per trainer CPU-second and the cores the GUI's process used.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-"))

from bench_event_loop import LatencyProbe  # noqa: E402  (a sibling script: benchmarks/ is on sys.path)
from PySide6 import QtCore, QtWidgets  # noqa: E402
from rate_sink import RateSink, process_cpu, timed_run  # noqa: E402  (a sibling script)

from workbench.core.cli import build_config  # noqa: E402
from workbench.core.config import to_dict  # noqa: E402
from workbench.core.manifest import discover, find  # noqa: E402
from workbench.qt.panel import PluginPanel  # noqa: E402

TRAINER_CORES: set[int] | None = None  # --trainer-core: the cores both sides' trainers may use
IMAGE_PLUGINS = ("vae", "gan", "ddpm", "draw")  # plugins whose step trains on a batch of images
ATARI = (  # the lab's Space Invaders preset (plugins/dqn/recipes.toml), learning from step 500
    "env=ALE/SpaceInvaders-v5", "algo=dueling-double", "num_envs=16", "buffer_size=50000", "learning_starts=500",
    "lr=1e-4", "batch_size=32", "train_every=4", "updates=1", "hidden=512", "target_update=hard", "target_every=8000", "eval_every=0",
)  # fmt: skip
OPEN_20X20 = "/".join(["S" + "." * 19] + ["." * 20] * 18 + ["." * 19 + "G"])  # thousands of sweeps to converge
# label, plugin, settings, steps per measurement: 4-10 s of training each on the idle 2-core
# machine, timed from a quarter of the steps on; paced plugins unpaced, and runs long enough
# that the steps given here end them
ALL: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("bandit", "bandit", ("steps=1000000",), 10000),
    ("gridworld-dp", "gridworld-dp", ("world=editable", f"grid={OPEN_20X20}", "sweeps_per_s=0"), 15000),
    ("td-control", "td-control", ("episodes=1000000",), 30000),
    ("dqn", "dqn", ("steps=1000000",), 40000),
    ("dqn atari", "dqn", ATARI, 4000),
    ("policy-gradient", "policy-gradient", ("steps=100000000",), 50000),
    ("optimisers", "optimisers", ("steps_per_s=0", "steps=1000000"), 400),
    ("ddpm", "ddpm", ("steps=1000000",), 120),
    ("draw", "draw", ("steps=1000000",), 80),
    ("gan", "gan", ("steps=1000000",), 300),
    ("sequence", "sequence", ("steps=1000000",), 100),
    ("vae", "vae", ("epochs=100000",), 600),  # a fresh process trains at half speed for 100 steps and more
    ("cnn-lens", "cnn-lens", ("steps=1000000",), 120),
)


def headless(manifest, cfg, steps: int) -> RateSink:
    """As ``workbench run --quiet --out DIR`` runs it: in a fresh process, with metrics.csv the only
    other sink. The GUI's trainer is a fresh process too; a run in this process, after the rounds
    before it, found torch's kernels warm (DQN on Atari ran 6-14% faster from its second round)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(timed_run, (manifest, cfg, steps, "cpu", TRAINER_CORES))


def gui(app, manifest, cfg, steps: int) -> tuple[RateSink, np.ndarray]:
    """The panel's run timed as ``headless`` times its own (its trainer's CPU read from its
    process), and the event loop's lateness (ms) over the steps timed."""
    panel = PluginPanel(manifest, to_dict(cfg), device="cpu", max_steps=steps)
    panel.resize(1400, 900)
    panel.show()
    rate = RateSink(
        from_step=steps // 4,
        trainer_cpu=lambda: process_cpu(panel.run._process.pid),
        pin=(lambda: os.sched_setaffinity(panel.run._process.pid, TRAINER_CORES)) if TRAINER_CORES else None,
    )
    panel.history, history_write = panel.history, panel.history.write

    def write_and_time(snap) -> None:
        history_write(snap)
        rate.write(snap)

    panel.history.write = write_and_time
    loop = QtCore.QEventLoop()  # the app's own kind of loop: it sleeps until a timer or an event
    panel.run_ended.connect(lambda *_: loop.quit())
    probe = LatencyProbe()
    if not panel.start():
        raise SystemExit(f"{manifest.id}: the panel did not start: {panel.status.text()}")
    probe.start()
    loop.exec()
    probe.stop()
    panel.shutdown()
    panel.deleteLater()
    app.processEvents()
    rate.rate()  # fails clearly when the run was too short
    return rate, probe.late_ms(rate.first[0], rate.last[0])


def measure(app, plugin: str, settings: list[str], steps: int, rounds: int, label: str = "") -> dict[str, float]:
    """Headless and GUI runs alternated ``rounds`` times. Medians of: headless and GUI steps/s,
    the rounds' GUI/headless ratios of steps/s (each round's pair shares the machine's mood)
    and of steps per trainer CPU-second, and the cores the GUI's process used; and the p99 of
    the GUI's event-loop lateness over every round."""
    manifest = find(plugin)
    cfg = build_config(manifest, settings)
    rows, late = [], []
    for r in range(rounds):
        h = headless(manifest, cfg, steps)
        g, g_late = gui(app, manifest, cfg, steps)
        late.append(g_late)
        rows.append((h.rate(), g.rate(), g.rate() / h.rate(), g.cpu_rate() / h.cpu_rate(), g.cores()))
        print(
            f"  {label or plugin} round {r + 1}: headless {h.rate():,.1f} steps/s ({h.cpu_rate():,.1f}/CPU-s)   "
            f"GUI {g.rate():,.1f} steps/s ({g.cpu_rate():,.1f}/CPU-s)   ratio {rows[-1][2]:.3f} "
            f"(CPU {rows[-1][3]:.3f})   event-loop p99 {np.percentile(g_late, 99):.1f} ms   "
            f"GUI process {g.cores():.2f} cores   load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    names = ("headless", "gui", "ratio", "cpu_ratio", "gui_cores")
    return {
        **{name: float(np.median(column)) for name, column in zip(names, zip(*rows))},
        "p99": float(np.percentile(np.concatenate(late), 99)),
    }


def measure_all(app, rounds: int, only: list[str]) -> None:
    known = {m.id for m in discover()}
    missing = known - {plugin for _, plugin, _, _ in ALL}
    if missing:
        raise SystemExit(f"no budget in ALL for {sorted(missing)}: add a line for each")
    rows = []
    for label, plugin, settings, steps in ALL:
        if only and label not in only and plugin not in only:
            continue
        rows.append((label, measure(app, plugin, list(settings), steps, rounds, label)))
    print(
        f"\n{'plugin':<16} {'headless steps/s':>16} {'GUI steps/s':>12} {'ratio':>6} {'CPU ratio':>9} "
        f"{'p99 ms':>7} {'GUI cores':>9}"
    )
    for label, m in rows:
        flag = "" if m["ratio"] >= 0.95 and m["p99"] <= 10 else "  <- below a goal"
        print(
            f"{label:<16} {m['headless']:>16,.1f} {m['gui']:>12,.1f} {m['ratio']:>6.3f} {m['cpu_ratio']:>9.3f} "
            f"{m['p99']:>7.1f} {m['gui_cores']:>9.2f}{flag}"
        )
    print(f"medians of {rounds} alternating rounds; load average at the end {os.getloadavg()[0]:.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--plugin", default="td-control")
    p.add_argument("--steps", type=int, default=2000, help="trainer steps per measurement")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--all", action="store_true", help="every plugin with the budgets in ALL, as a table")
    p.add_argument("--only", action="append", default=[], help="with --all: just this label or plugin (repeatable)")
    p.add_argument(
        "--trainer-core",
        type=int,
        action="append",
        help="at its first snapshot, move the thread that runs each side's trainer to this core "
        "(repeatable), so neither draws a slower core; its other threads (ale-py's) stay where they are",
    )
    args = p.parse_args()
    global TRAINER_CORES
    TRAINER_CORES = set(args.trainer_core) if args.trainer_core else None
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    if args.all:
        measure_all(app, args.rounds, args.only)
        return
    m = measure(app, args.plugin, args.set, args.steps, args.rounds)
    h, g = m["headless"], m["gui"]
    print(
        f"{args.plugin}: median headless {h:,.1f} steps/s, GUI {g:,.1f} steps/s; ratio GUI/headless = "
        f"{m['ratio']:.3f} (median of the rounds' ratios), per trainer CPU-second {m['cpu_ratio']:.3f}; "
        f"event-loop p99 {m['p99']:.1f} ms; the GUI's process used {m['gui_cores']:.2f} cores"
    )
    if args.plugin in IMAGE_PLUGINS:
        cfg = build_config(find(args.plugin), args.set)
        batch = cfg.batch_size * getattr(cfg, "d_steps", 1)  # a GAN step shows D d_steps real batches
        print(f"{args.plugin}: training images/s ({batch} per step): headless {h * batch:,.0f}, GUI {g * batch:,.0f}")


if __name__ == "__main__":
    main()
