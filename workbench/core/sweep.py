"""Sweeps: many runs of one plugin (a grid, random samples, seeds), each an ordinary run folder
made by the same trainer through ``Run``, grouped under one folder with a ``sweep.json``.

``sweep.json`` holds the spec, the backend it last ran on and, per trial, its settings, state,
error and the final and best value of the sweep's metric; it is rewritten (atomically) as
trials start and end. Running the same sweep again into the same folder runs only what is not
done: finished, failed and pruned trials are kept, stopped or killed ones resume from their
checkpoints.

Trials run on a backend: ``local`` (worker processes on this machine, ``sweep_pool``) or
``ray`` (Ray tasks, or Ray Tune for ASHA, on a local instance or a cluster, ``sweep_ray``).
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.core.manifest import Manifest, find
from workbench.core.paths import write_json
from workbench.core.runs import SWEEP_FILE
from workbench.core.sweep_groups import SEED, SettingGroup, group_settings, lead_text, ranked
from workbench.core.sweep_pool import LocalPool, default_workers
from workbench.core.sweep_spec import SweepError, SweepSpec, Trial, plan
from workbench.core.sweep_trial import RECENT, TrialTask

DONE = ("finished", "failed", "pruned")
"""Trial states a second run of the sweep leaves as they are."""
BACKENDS = ("local", "ray")


def _backend(name: str, spec: SweepSpec, workers: int, address: str | None, device: str) -> Any:
    if name not in BACKENDS:
        raise SweepError(f"--backend {name!r} is not one of: {', '.join(BACKENDS)}")
    if name == "local":
        if address is not None:
            raise SweepError("--address needs --backend ray")
        if spec.scheduler != "none":
            raise SweepError(f"--scheduler {spec.scheduler} needs --backend ray")
        return LocalPool(workers)
    if spec.scheduler == "asha" and spec.steps is None:
        raise SweepError("--scheduler asha needs --steps: the budget whose rungs it stops trials at")
    try:
        from workbench.core.sweep_ray import RayBackend
    except ImportError:
        raise SweepError("the ray backend needs Ray Tune: pip install 'workbench[ray]'") from None
    return RayBackend(spec, workers, address, device)


class Sweep:
    """One sweep folder and the trials still to run in it.

    Args:
        spec: what to try.
        out: the sweep folder (new, empty, or holding this same sweep).
        manifest: the plugin (default: the one ``spec.plugin`` names).
        backend: ``local`` or ``ray``.
        workers: trials at once (default: one per core).
        address: a Ray cluster's address (``ray`` only; default: a local instance).
        device: auto, cpu or cuda, for every trial.
        checkpoint_every_s: seconds between each trial's checkpoints.
        on_change: called with a trial's record whenever it changes (from the sweep's thread).

    Raises:
        SweepError: before anything is written, for a spec, folder or backend that cannot be used.
    """

    def __init__(
        self,
        spec: SweepSpec,
        out: str | Path,
        *,
        manifest: Manifest | None = None,
        backend: str = "local",
        workers: int | None = None,
        address: str | None = None,
        device: str = "auto",
        checkpoint_every_s: float = 30.0,
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.spec, self.out = spec, Path(out)
        self.manifest = manifest if manifest is not None else find(spec.plugin)
        if self.manifest.broken:
            raise SweepError(f"plugin {self.manifest.id!r} is broken: {self.manifest.error}")
        if workers is not None and workers < 1:
            raise SweepError(f"--workers must be >= 1, got {workers}")
        self.workers = workers or default_workers()
        self.threads = max(1, default_workers() // self.workers)  # each trial's share of the cores
        self.trials: list[Trial] = plan(spec, self.manifest.config_class(), self.threads)
        self.backend = _backend(backend, spec, self.workers, address, device)
        self.backend_name, self.address = backend, address
        self.records = self._records()
        self.device, self.checkpoint_every_s = device, checkpoint_every_s
        self.on_change = on_change
        self.stopped = False
        self._lock = threading.Lock()

    def _records(self) -> dict[str, dict[str, Any]]:
        """Each trial's record: a fresh one, or the one a previous run of this sweep left."""
        fresh = {
            t.id: {
                "id": t.id,
                "settings": t.settings,
                "state": "pending",
                "error": "",
                "attempts": 0,
                "step": 0,
                "final": None,
                "recent": None,
                "best": None,
            }
            for t in self.trials
        }
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(f"--out {self.out} is a file, not a folder")
        path = self.out / SWEEP_FILE
        if not path.is_file():
            if self.out.is_dir() and any(self.out.iterdir()):
                raise SweepError(f"{self.out} is not empty and holds no sweep; choose a new --out folder")
            return fresh
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SweepError(f"cannot read {path}: {exc}") from None
        saved = doc.get("spec", {})
        differ = [k for k, v in self.spec.to_dict().items() if saved.get(k) != v]
        if differ or doc.get("plugin") != self.manifest.id:
            what = differ[0] if differ else "plugin"
            raise SweepError(f"{self.out} holds another sweep ({what} differs); choose a new --out folder")
        for record in doc.get("trials", []):
            if record.get("id") in fresh:
                fresh[record["id"]].update(record)
        return fresh

    def todo(self) -> list[Trial]:
        """The trials not done yet, in the sweep's order."""
        return [t for t in self.trials if self.records[t.id]["state"] not in DONE]

    def run(self) -> dict[str, int]:
        """Run every trial not done yet; the number of trials in each state at the end."""
        tasks = [
            TrialTask(
                t.id,
                self.manifest,
                t.values,
                str(self.out / t.id),
                self.spec.steps,
                self.spec.metric,
                self.spec.mode,
                self.device,
                self.threads,
                self.checkpoint_every_s,
                tuple(sys.path),
            )
            for t in self.todo()
        ]
        self.save()
        if tasks and not self.stopped:
            self.backend.run(tasks, self.report)
        return self.counts()

    def stop(self) -> None:
        """End every running trial at its next step (with its checkpoint) and start no more."""
        self.stopped = True
        self.backend.stop()

    def report(self, record: dict[str, Any]) -> None:
        """A backend's news of one trial: merged into its record and saved."""
        with self._lock:
            current = self.records[record["id"]]
            current.update(record)
            if record["state"] == "running":
                current["error"] = ""
            self.save()
            copy = dict(current)
        if self.on_change is not None:
            self.on_change(copy)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.records.values():
            counts[record["state"]] = counts.get(record["state"], 0) + 1
        return counts

    def save(self) -> None:
        """Write sweep.json (atomically, making the folder): the spec, where it runs (so the app's
        Resume runs it there again) and every trial's record."""
        self.out.mkdir(parents=True, exist_ok=True)
        doc = {
            "plugin": self.manifest.id,
            "spec": self.spec.to_dict(),
            "backend": self.backend_name,
            "address": self.address,
            "trials": [self.records[t.id] for t in self.trials],
            "written": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }
        write_json(self.out / SWEEP_FILE, doc)


def where_it_ran(doc: dict[str, Any]) -> dict[str, Any]:
    """The backend and address a ``sweep.json`` was last run with, as ``Sweep``'s keywords; for a
    file written before it said so, the only backend that runs its scheduler."""
    asha = doc.get("spec", {}).get("scheduler", "none") != "none"
    return {"backend": doc.get("backend") or ("ray" if asha else "local"), "address": doc.get("address")}


def read_sweep(out: str | Path) -> dict[str, Any]:
    """A sweep folder's ``sweep.json``; SweepError when there is none."""
    path = Path(out) / SWEEP_FILE
    try:
        doc: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise SweepError(f"{out} holds no {SWEEP_FILE}") from None
    except (OSError, ValueError) as exc:
        raise SweepError(f"cannot read {path}: {exc}") from None
    return doc


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _spread(group: SettingGroup) -> str:
    seeds = f"({len(group.figures)} seed{'s' * (len(group.figures) != 1)})"
    return f" ± {group.std:<10.4g}{seeds}" if group.std is not None else f"{'':13}{seeds}"


def summary_lines(out: str | Path) -> list[str]:
    """A sweep as a table, best trial first by the mean of its last values (``recent``; trials ASHA
    pruned after the rest), then the mean ± std over seeds of each setting's."""
    doc = read_sweep(out)
    spec, trials = doc["spec"], doc["trials"]
    sign = -1.0 if spec["mode"] == "max" else 1.0
    # a trial ASHA pruned goes after those it let go on, whose figures cover the whole budget
    best_first = sorted(
        trials, key=lambda r: (r.get("recent") is None, r["state"] == "pruned", sign * (r.get("recent") or 0.0))
    )
    width = max([len(r["id"]) for r in trials] + [5]) + 2
    lines = [
        f"{doc['plugin']} sweep in {out}: {len(trials)} trials, {spec['metric']} ({spec['mode']}); "
        f"recent: the mean of a trial's last {RECENT} values",
        f"{'trial':<{width}}{'state':<10}{'step':>10}{'final':>12}{'recent':>12}{'best':>12}  error",
    ]
    for r in best_first:
        figures = "".join(f"{_num(r.get(k)):>12}" for k in ("final", "recent", "best"))
        lines.append(f"{r['id']:<{width}}{r['state']:<10}{r['step']:>10}{figures}  {r.get('error', '')}".rstrip())
    seeded = [r for r in trials if SEED in r["settings"]]
    groups = [g for g in ranked(group_settings(seeded), spec["mode"]) if g.figures]
    if any(len(g.figures) > 1 for g in groups):
        lines += ["", f"recent {spec['metric']}, mean ± std over seeds"]
        lines += [f"{g.name:<{width}}{g.mean:>12.4g}{_spread(g)}" for g in groups]
        lead = lead_text(groups)
        lines += [lead] if lead else []
    return lines
