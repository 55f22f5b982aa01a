"""Overestimation of DQN against Double DQN on CartPole-v1 with noisy rewards, side by side.

For each training episode the plugin logs the mean predicted Q of the actions taken and the mean
discounted return that actually followed them; this prints both, averaged over the last quarter
of training, for ``algo=dqn`` and ``algo=double`` run with the same seed and reward noise.

    .venv/bin/python benchmarks/bench_dqn_overestimation.py --iterations 30000 --noise 1.0
"""

from __future__ import annotations

import argparse

from workbench.core.cli import build_config
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import HistorySink


def overestimation(algo: str, steps: int, noise: float, seed: int) -> tuple[float, float]:
    manifest = find("dqn")
    cfg = build_config(manifest, [f"algo={algo}", f"steps={steps}", f"reward_noise={noise}", "eval_every=0"], seed)
    history = HistorySink()
    Run(manifest, cfg, device="cpu", sinks=[history], on_nonfinite="stop").run()
    step, q = history.read("overestimation/q_taken")
    _, g = history.read("overestimation/return")
    late = step >= 0.75 * steps
    return float(q[late].mean()), float(g[late].mean())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=30_000, help="environment steps per run")
    p.add_argument("--noise", type=float, default=1.0, help="std of the Gaussian reward noise")
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = p.parse_args()
    for seed in args.seeds:
        for algo in ("dqn", "double"):
            q, g = overestimation(algo, args.iterations, args.noise, seed)
            print(
                f"seed {seed} {algo:>6}: mean Q of actions taken {q:7.2f}, discounted return obtained {g:7.2f}, "
                f"overestimation {q - g:+7.2f} ({100 * (q - g) / max(abs(g), 1e-9):+.0f}%)",
                flush=True,
            )
    print(f"last quarter of {args.iterations} steps, reward noise std {args.noise}")


if __name__ == "__main__":
    main()
