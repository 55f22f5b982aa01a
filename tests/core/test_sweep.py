"""Sweeps: specs checked up front, trials as run folders on the local pool and on Ray, a failing
trial, a killed worker, Ctrl+C and a second run that finishes what is left, and the run index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from faulty import MANIFEST, wait_for

from workbench.core.cli import main
from workbench.core.manifest import find
from workbench.core.runs import RunIndex, read_curves
from workbench.core.sweep import Sweep, read_sweep, summary_lines
from workbench.core.sweep_groups import SettingGroup, group_settings, lead_text, ranked
from workbench.core.sweep_spec import SweepError, SweepSpec

TD = ["sweep", "td-control", "--set", "episodes=20", "--set", "render=false"]


def states(out: Path) -> dict[str, str]:
    return {r["id"]: r["state"] for r in read_sweep(out)["trials"]}


def run_states(out: Path) -> dict[str, str]:
    """What each trial's own config.json says."""
    return {
        d.name: json.loads((d / "config.json").read_text())["state"]
        for d in out.iterdir()
        if (d / "config.json").is_file()
    }


@pytest.mark.parametrize(
    "args, words",
    [
        (["--grid", "gamma_typo=0.1,0.2"], "unknown config key 'gamma_typo'"),
        (["--grid", "alpha=0.1,1.5"], "alpha=1.5 is outside"),
        (["--grid", "alpha="], "--grid alpha= is empty"),
        (["--sample", "alpha=lognormal(0,1)", "--trials", "3"], "is not a distribution"),
        (["--sample", "alpha=uniform(0.5,2)", "--trials", "3"], "alpha=2.0 is outside"),
        (["--seeds", "3-x"], "--seeds '3-x'"),
        (["--grid", "alpha=0.1", "--scheduler", "asha"], "needs --backend ray"),
    ],
)
def test_a_bad_spec_is_one_line_and_exit_2_before_anything_is_written(tmp_path, capsys, args, words):
    out = tmp_path / "sweep"
    assert main([*TD, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_a_grid_of_seeds_runs_as_run_folders_that_the_index_lists_and_compare_summarises(tmp_path, capsys):
    out = tmp_path / "runs" / "cliff"
    cmd = [*TD, "--grid", "alpha=0.1,0.5", "--seeds", "0-1", "--workers", "2", "--out", str(out)]
    assert main(cmd) == 0
    ids = ["alpha=0.1,seed=0", "alpha=0.1,seed=1", "alpha=0.5,seed=0", "alpha=0.5,seed=1"]
    assert states(out) == dict.fromkeys(ids, "finished")
    assert run_states(out) == dict.fromkeys(ids, "finished")
    for record in read_sweep(out)["trials"]:
        config = json.loads((out / record["id"] / "config.json").read_text())["config"]
        assert (config["alpha"], config["seed"]) == (
            float(record["settings"]["alpha"]),
            int(record["settings"]["seed"]),
        )
        returns = read_curves(out / record["id"])["episode_return"]
        assert len(returns) == 20 and record["best"] == returns.max() and record["final"] == returns[-1]
        assert record["recent"] == returns[-10:].mean()  # what the settings are ranked by
    # a second run of the same command finds nothing left to do and touches no run
    stamps = {i: (out / i / "metrics.csv").stat().st_mtime_ns for i in ids}
    assert main(cmd) == 0
    assert {i: (out / i / "metrics.csv").stat().st_mtime_ns for i in ids} == stamps
    assert sorted(r.rel for r in RunIndex(tmp_path / "runs").scan()) == [f"cliff/{i}" for i in ids]
    capsys.readouterr()
    assert main(["runs", "compare", *(str(out / i) for i in ids), "--metric", "episode_return"]) == 0
    table = capsys.readouterr().out
    assert "alpha=0.1 (2 seeds)" in table and "alpha=0.5 (2 seeds)" in table
    assert main(["sweep", "--summary", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "mean ± std over seeds" in summary and all(i in summary for i in ids)
    # another spec into the same folder is refused
    assert main([*TD, "--grid", "alpha=0.2", "--out", str(out)]) == 2
    assert "holds another sweep" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["local", "ray"])
def test_trials_stream_into_the_run_index_as_they_go_on_either_backend(tmp_path, backend, request):
    if backend == "ray":
        request.getfixturevalue("ray_instance")
    out = tmp_path / "runs" / "s"
    spec = SweepSpec("faulty", grid={"mode": ["slow"]}, seeds=[0, 1], steps=2000, metric="loss")
    sweep = Sweep(spec, out, manifest=MANIFEST, backend=backend, workers=2)
    thread = threading.Thread(target=sweep.run)
    thread.start()
    index = RunIndex(tmp_path / "runs")
    try:
        assert wait_for(lambda: sum(r.state == "running" and r.rows > 3 for r in index.scan()) == 2, 60)
        seen = {r.rel: r.rows for r in index.scan()}
        assert wait_for(lambda: all(r.rows > seen[r.rel] for r in index.scan()), 30)  # and they grow
    finally:
        sweep.stop()
        thread.join(120)
    assert set(states(out).values()) == {"stopped"}


def test_a_metric_no_trial_logs_is_named_before_and_after_with_what_they_did_log(tmp_path, capsys):
    assert find("td-control").plots("episode_return/sarsa") and find("dqn").plots("eval_return")
    assert not find("td-control").plots("eval_return")
    cmd = [*TD, "--grid", "alpha=0.1", "--metric", "episode_retrun", "--out", str(tmp_path / "s")]
    assert main(cmd) == 0
    err = capsys.readouterr().err
    assert "note: td-control's panel plots no 'episode_retrun' (episode_return, " in err
    assert "no trial logged 'episode_retrun', so none is ranked; they logged: " in err
    assert "episode_return" in err.splitlines()[-1]
    # a metric the panel plots gets no such words
    assert main([*TD, "--grid", "alpha=0.1", "--out", str(tmp_path / "t")]) == 0
    assert "note:" not in capsys.readouterr().err


def test_a_sweep_ranks_by_the_plugins_own_metric_unless_told(tmp_path, capsys):
    """The bandit lab logs no episode return: its sweep ranks by its average reward."""
    cmd = ["sweep", "bandit", "--grid", "epsilon=0.01,0.1", "--set", "runs=20", "--set", "steps=50"]
    assert main([*cmd, "--out", str(tmp_path / "s")]) == 0
    doc = read_sweep(tmp_path / "s")
    assert (doc["spec"]["metric"], doc["spec"]["mode"]) == ("avg_reward", "max")
    assert all(r["recent"] is not None for r in doc["trials"]) and "plots no" not in capsys.readouterr().err
    assert main([*cmd, "--metric", "pct_optimal", "--out", str(tmp_path / "t")]) == 0
    assert read_sweep(tmp_path / "t")["spec"]["metric"] == "pct_optimal"


def test_a_failing_trial_is_marked_failed_with_its_error_and_the_others_finish(tmp_path):
    spec = SweepSpec("faulty", grid={"mode": ["ok", "raise"]}, sets=["steps=5"], metric="loss")
    sweep = Sweep(spec, tmp_path / "s", manifest=MANIFEST, workers=2)
    assert sweep.run() == {"finished": 1, "failed": 1}
    records = {r["id"]: r for r in read_sweep(tmp_path / "s")["trials"]}
    assert records["mode=raise"]["state"] == "failed"
    assert "RuntimeError: the trainer broke on purpose" in records["mode=raise"]["error"]
    assert "broke on purpose" in (tmp_path / "s" / "mode=raise" / "error.log").read_text()
    assert records["mode=ok"]["state"] == "finished" and records["mode=ok"]["best"] == 1 / 5


def kill_mid_trial(out: Path, backend: str) -> None:
    """SIGKILL the process running a slow trial once it has a checkpoint; it must finish anyway,
    resumed from that checkpoint, with every step in metrics.csv once."""
    spec = SweepSpec("faulty", grid={"mode": ["slow"]}, steps=150, metric="loss")
    sweep = Sweep(spec, out, manifest=MANIFEST, backend=backend, workers=1, checkpoint_every_s=0.1)
    thread = threading.Thread(target=sweep.run)
    thread.start()
    try:

        def running() -> bool:
            return bool(sweep.records["mode=slow"].get("pid")) and (out / "mode=slow" / "checkpoint.pt").is_file()

        assert wait_for(running, 60)
        os.kill(sweep.records["mode=slow"]["pid"], signal.SIGKILL)
    finally:
        thread.join(120)
    record = read_sweep(out)["trials"][0]
    assert (record["state"], record["attempts"], record["step"]) == ("finished", 2, 150)
    steps = read_curves(out / "mode=slow")["step"]
    assert list(steps) == list(range(1, 151))  # rows before the kill kept, none twice
    assert json.loads((out / "mode=slow" / "config.json").read_text())["resumed_from"] is not None


def test_a_killed_worker_is_retried_from_the_trials_checkpoint_and_finishes(tmp_path):
    kill_mid_trial(tmp_path / "s", "local")


def ctrl_c_then_again(out: Path, backend: str) -> dict[str, str]:
    """Ctrl+C in the terminal of ``workbench sweep`` (SIGINT to its whole process group) once a
    trial is under way, then the same command again; the states the first left."""
    cmd = [
        sys.executable,
        "-m",
        "workbench.core.cli",
        "sweep",
        "td-control",
        "--set",
        "episodes=400",
        "--set",
        "render=false",
        "--set",
        "runs=20",  # ~4 s a trial on an idle machine: Ctrl+C lands mid-run however fast the machine
        "--grid",
        "alpha=0.2,0.4",
        "--workers",
        "2",
        "--backend",
        backend,
        "--out",
        str(out),
    ]
    ids = ["alpha=0.2", "alpha=0.4"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert wait_for(lambda: any(len(read_curves(out / i).get("step", [])) > 5 for i in ids), 90)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGINT, stderr
    interrupted = states(out)
    stopped = [i for i in ids if interrupted[i] == "stopped"]
    assert stopped and all(len(read_curves(out / i)["step"]) < 400 for i in stopped)
    assert all(run_states(out).get(i) == "stopped" for i in stopped)  # the run folders say so too
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert states(out) == run_states(out) == dict.fromkeys(ids, "finished")
    assert all(list(read_curves(out / i)["step"]) == list(range(1, 401)) for i in ids)
    return interrupted


def test_ctrl_c_stops_every_trial_at_a_step_and_the_same_command_finishes_them(tmp_path):
    # as soon as one trial is going: the other, started or not, stops at its first step
    assert ctrl_c_then_again(tmp_path / "s", "local") == {"alpha=0.2": "stopped", "alpha=0.4": "stopped"}


def test_ctrl_c_under_ray_stops_its_trials_and_the_same_command_finishes_only_them(tmp_path):
    pytest.importorskip("ray")
    interrupted = ctrl_c_then_again(tmp_path / "s", "ray")
    assert set(interrupted.values()) <= {"stopped", "pending"}  # one Tune had not started yet stays to do


def test_the_ray_backend_runs_the_same_trials_and_marks_a_failing_one(tmp_path, ray_instance):
    spec = SweepSpec("faulty", grid={"mode": ["ok", "raise"]}, sets=["steps=5"], metric="loss")
    sweep = Sweep(spec, tmp_path / "s", manifest=MANIFEST, backend="ray", workers=2)
    assert sweep.run() == {"finished": 1, "failed": 1}
    records = {r["id"]: r for r in read_sweep(tmp_path / "s")["trials"]}
    assert "RuntimeError: the trainer broke on purpose" in records["mode=raise"]["error"]
    assert records["mode=ok"]["best"] == 1 / 5
    assert run_states(tmp_path / "s") == {i: r["state"] for i, r in records.items()}
    assert list(read_curves(tmp_path / "s" / "mode=ok")["step"]) == [1, 2, 3, 4, 5]


def test_a_killed_ray_worker_is_retried_from_the_trials_checkpoint(tmp_path, ray_instance):
    kill_mid_trial(tmp_path / "s", "ray")  # the pid is the Ray worker's, the first thing its task yields


def test_asha_needs_a_step_budget(tmp_path):
    with pytest.raises(SweepError, match="needs --steps"):
        Sweep(SweepSpec("td-control", grid={"alpha": ["0.1"]}, scheduler="asha"), tmp_path / "s", backend="ray")


@pytest.mark.parametrize(("first", "method"), [("", "fork"), ("import torch; ", "forkserver")])
def test_workers_are_forked_straight_from_a_process_safe_to_fork(first, method):
    """The command line forks its workers (they start with the trial code at no cost); after torch
    (OpenMP threads) a fork could inherit a held lock, so a preloaded server forks them."""
    code = f"{first}from workbench.core.sweep_pool import worker_context; print(worker_context().get_start_method())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == method


def test_asha_prunes_the_trials_with_a_poor_metric_at_their_rung_and_finishes_the_best(tmp_path, ray_instance):
    rates = ["0.1", "0.2", "0.4", "0.8", "1.6", "3.2"]
    spec = SweepSpec(
        "faulty", grid={"mode": ["slow"], "rate": rates}, steps=90, metric="rate", mode="max", scheduler="asha"
    )
    sweep = Sweep(spec, tmp_path / "s", manifest=MANIFEST, backend="ray", workers=2)
    counts = sweep.run()
    records = {r["settings"]["rate"]: r for r in read_sweep(tmp_path / "s")["trials"]}
    assert counts.get("pruned", 0) >= 2 and set(counts) <= {"finished", "pruned"}, counts
    assert records["3.2"]["state"] == "finished" and records["3.2"]["step"] == 90
    pruned = [r for r in records.values() if r["state"] == "pruned"]
    # each stopped at the rung where ASHA judged it (10 or 30), not some steps of training past it
    assert {r["step"] for r in pruned} <= {10, 30}, [r["step"] for r in pruned]
    assert all((r["state"] == "finished") == (r["step"] == 90) for r in records.values())  # ran out: finished
    assert all(json.loads((tmp_path / "s" / r["id"] / "config.json").read_text())["state"] == "stopped" for r in pruned)


def test_trials_ask_ray_for_a_gpu_only_where_the_cluster_has_one(ray_instance):
    from workbench.core.sweep_ray import gpus_per_trial

    assert (gpus_per_trial("cpu"), gpus_per_trial("auto")) == (0, 0)  # the test instance has no GPU
    with pytest.raises(SweepError, match="the Ray cluster has no GPU"):
        gpus_per_trial("cuda")


def test_the_summary_ranks_by_the_mean_of_the_last_values_not_one_lucky_best(tmp_path):
    def trial(name: str, seed: int, recent: float, best: float) -> dict:
        settings = {"alpha": name, "seed": str(seed)}
        return {"id": f"alpha={name},seed={seed}", "settings": settings, "state": "finished", "step": 100,
                "final": recent, "recent": recent, "best": best}  # fmt: skip

    trials = [trial("0.1", 0, 100.0, 500.0), trial("0.1", 1, 120.0, 480.0)]
    trials += [trial("0.5", 0, 250.0, 300.0), trial("0.5", 1, 230.0, 290.0)]
    trials += [trial("0.9", 0, 50.0, 60.0)]  # its other seed failed: no spread to give
    doc = {"plugin": "td-control", "spec": {"metric": "episode_return", "mode": "max"}, "trials": trials}
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    lines = summary_lines(tmp_path)
    assert lines[2].startswith("alpha=0.5,seed=0") and lines[-4:] == [
        f"{'alpha=0.5':<18}{240:>12.4g} ± {10:<10.4g}(2 seeds)",
        f"{'alpha=0.1':<18}{110:>12.4g} ± {10:<10.4g}(2 seeds)",
        f"{'alpha=0.9':<18}{50:>12.4g}{'':13}(1 seed)",
        # the standard error of the difference: sqrt(200/2 + 200/2), each variance over 2 seeds with ddof 1
        f"alpha=0.5 leads alpha=0.1 by 130, {130 / 200**0.5:.1f} standard errors of the difference",
    ]


def test_a_lead_within_the_seeds_noise_is_called_so_and_one_seed_gets_no_verdict():
    def groups(*figures: tuple[float, ...]) -> list[SettingGroup]:
        made = [SettingGroup(f"lr={i}", tuple(f"t{i}-{k}" for k in range(len(f))), f) for i, f in enumerate(figures)]
        return ranked(made, "max")

    close = lead_text(groups((200.0, 100.0, 150.0), (140.0, 160.0, 120.0)))
    error = (np.var([200, 100, 150], ddof=1) / 3 + np.var([140, 160, 120], ddof=1) / 3) ** 0.5
    assert (
        close
        == f"lr=0 leads lr=1 by 10, {10 / error:.1f} standard errors of the difference: under 2, more seeds would tell them apart"
    )
    assert lead_text(groups((200.0,), (140.0,))) == ""  # one seed each: no spread to judge by
    assert lead_text(groups((5.0, 5.0), (3.0, 3.0))) == "lr=0 leads lr=1 by 2 on every seed"


def test_a_setting_asha_pruned_ranks_after_those_it_let_go_on_whatever_its_early_figure(tmp_path):
    """A pruned trial's figure is of its first evaluations; it lost at a rung to the trials that
    went on, so a high early figure must not put it first, in the summary or the settings."""

    def trial(lr: str, state: str, recent: float) -> dict:
        return {"id": f"lr={lr},seed=0", "settings": {"lr": lr, "seed": "0"}, "state": state, "step": 900,
                "final": recent, "recent": recent, "best": recent}  # fmt: skip

    trials = [trial("0.1", "pruned", 147.0), trial("0.2", "finished", 145.4), trial("0.3", "finished", 95.0)]
    trials += [trial("0.4", "pruned", 20.0)]
    doc = {"plugin": "dqn", "spec": {"metric": "eval_return", "mode": "max"}, "trials": trials}
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    order = [line.split()[0] for line in summary_lines(tmp_path)[2:6]]
    assert order == ["lr=0.2,seed=0", "lr=0.3,seed=0", "lr=0.1,seed=0", "lr=0.4,seed=0"]
    settings = ranked(group_settings(trials), "max")
    assert [g.name for g in settings] == ["lr=0.2", "lr=0.3", "lr=0.1", "lr=0.4"]
    assert [g.pruned for g in settings] == [False, False, True, True]
    # a setting with a seed that went on is not a pruned one: its seeds' mean ranks it
    mixed = group_settings([trial("0.5", "pruned", 10.0), {**trial("0.5", "finished", 300.0), "id": "lr=0.5,seed=1"}])
    assert not mixed[0].pruned and mixed[0].mean == 155.0
