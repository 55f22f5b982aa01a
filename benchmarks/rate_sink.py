"""Steps per second of a run as its snapshots arrive, for the benchmarks that time a trainer
through ``Run`` or a panel: the GUI against headless, a GPU run against a plain loop."""

from __future__ import annotations

import os
import tempfile
import time

from workbench.core.driver import Run
from workbench.core.sinks import Sink


def process_cpu(pid: int) -> float:
    """CPU-seconds (user and system) process ``pid`` has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RateSink(Sink):
    """Steps per second from the first snapshot at or past ``from_step`` to the last one, and
    over the same steps the trainer's steps per CPU-second (``trainer_cpu``: this process by
    default) and the cores this process used (in the GUI: its painting and the snapshots' pump).

    A loaded machine changes wall-clock rates by tens of percent from one run to the next; a
    trainer's CPU per step changes far less, and shows what the GUI costs it apart from sharing
    the cores. The CPU clocks are read at most every ``SAMPLE_S``.
    """

    SAMPLE_S = 0.1

    def __init__(self, from_step: int = 0, trainer_cpu=time.process_time, pin=None) -> None:
        self.from_step = from_step
        self.trainer_cpu = trainer_cpu
        self.pin = pin  # called once, at the first snapshot: the trainer has built its envs
        self.first: tuple[float, int, float, float] | None = None  # wall, step, own CPU, trainer CPU
        self.last: tuple[float, int, float, float] | None = None

    def write(self, snap) -> None:
        if self.pin is not None:
            self.pin, pin = None, self.pin
            pin()
        if snap.step < self.from_step:
            return
        now = time.perf_counter()
        if self.last is not None and now - self.last[0] < self.SAMPLE_S:
            return
        self.last = (now, snap.step, time.process_time(), self.trainer_cpu())
        self.first = self.first or self.last

    def _span(self, i: int) -> float:
        if self.first is None or self.last[1] == self.first[1]:
            raise SystemExit(
                f"the run ended before step {self.from_step + 1}: --steps is longer than the trainer "
                "runs (raise its own length with --set, e.g. episodes=...)"
            )
        return self.last[i] - self.first[i]

    def rate(self) -> float:
        return self._span(1) / self._span(0)

    def cpu_rate(self) -> float:
        """Steps per CPU-second of the trainer's process."""
        return self._span(1) / self._span(3)

    def cores(self) -> float:
        """CPU-seconds per second this process used."""
        return self._span(2) / self._span(0)


def timed_run(manifest, cfg, steps: int, device: str = "cpu", cores: set[int] | None = None) -> RateSink:
    """``steps`` of the plugin's trainer through ``Run`` into a fresh folder, as ``workbench run``
    runs it (metrics.csv its only other sink), timed from a quarter of the steps on; ``cores``:
    where its thread moves at the first snapshot, once the trainer has built its envs."""
    out = tempfile.mkdtemp(prefix="wb-timed-")
    rate = RateSink(from_step=steps // 4, pin=(lambda: os.sched_setaffinity(0, cores)) if cores else None)
    Run(manifest, cfg, device=device, out_dir=out, sinks=[rate], max_steps=steps, on_nonfinite="stop").run()
    rate.pin = None  # unused without a snapshot; a lambda does not pickle back
    return rate
