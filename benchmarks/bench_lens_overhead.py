"""How much the CNN lens adds to cnn-lens training time at its default refresh rate.

Two trainers with the same settings, one with the lens at its default ``lens_every`` and one
with the lens off, advance one step each in turn, so both see the same machine load; the
script prints the time per step of each and their ratio (wall clock and this process's CPU
time). The first step (data loading) is left out of both.

    .venv/bin/python benchmarks/bench_lens_overhead.py --iterations 600
"""

from __future__ import annotations

import argparse
import threading
import time

import torch

from workbench.core.driver import RunContext
from workbench_plugins.cnn_lens.config import Config
from workbench_plugins.cnn_lens.trainer import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=600, help="training steps timed in each trainer")
    parser.add_argument("--data", default="glyphs", help="image set (see cnn-lens's data field)")
    parser.add_argument("--lens-every", type=int, default=Config.lens_every, help="lens refresh rate under test")
    args = parser.parse_args()
    torch.set_num_threads(1)

    settings = dict(data=args.data, steps=args.iterations + 1, eval_every=10**5)
    runs = {"lens on": Config(**settings, lens_every=args.lens_every), "lens off": Config(**settings, lens_every=0)}
    gens = {name: train(cfg, RunContext(cfg, "cpu", None, None, threading.Event())) for name, cfg in runs.items()}
    wall = dict.fromkeys(gens, 0.0)
    cpu = dict.fromkeys(gens, 0.0)
    refreshes = 0
    for gen in gens.values():
        next(gen)  # loads the data: not timed
    for _ in range(args.iterations):
        for name, gen in gens.items():
            w, c = time.perf_counter(), time.process_time()
            snap = next(gen)
            wall[name] += time.perf_counter() - w
            cpu[name] += time.process_time() - c
            refreshes += name == "lens on" and bool(snap.arrays)
    n = args.iterations
    print(f"{n} steps each, data={args.data}, lens_every={args.lens_every} ({refreshes} lens refreshes)")
    for name in gens:
        print(f"  {name:8s}: {1000 * wall[name] / n:7.2f} ms/step wall, {1000 * cpu[name] / n:7.2f} ms/step CPU")
    print(
        f"lens on / lens off: wall {wall['lens on'] / wall['lens off']:.3f}, CPU {cpu['lens on'] / cpu['lens off']:.3f}"
    )


if __name__ == "__main__":
    main()
