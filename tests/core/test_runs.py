"""The run index over real and damaged run folders, the runs CLI, comparing runs, and forks."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from workbench.core.checkpoint import checkpoint_steps, load_checkpoint
from workbench.core.cli import main
from workbench.core.compare import ema, envelope, label, mean_band, seed_groups, varying
from workbench.core.runs import INDEX_NAME, RunIndex, UnknownRun, annotate, config_diff, read_run
from workbench.core.sinks import read_metrics

TD = ["run", "td-control", "--quiet", "--set", "episodes=12"]


def td_run(out: Path, *sets: str) -> Path:
    args = list(TD)
    for s in sets:
        args += ["--set", s]
    assert main([*args, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A real finished run, copied into each test's root."""
    return td_run(tmp_path_factory.mktemp("runs") / "done", "alpha=0.3")


def copy_run(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


@pytest.fixture
def root(tmp_path, finished) -> Path:
    """GUI-style runs (root/<plugin>/<time>/) and a CLI run deeper down: finished, in progress,
    killed and damaged."""
    root = tmp_path / "runs"
    copy_run(finished, root / "td-control" / "20260101-100000-000")
    live = copy_run(finished, root / "td-control" / "20260101-110000-000")
    (live / "checkpoint.pt").unlink()
    doc = json.loads((live / "config.json").read_text())
    (live / "config.json").write_text(json.dumps({**doc, "state": "running"}))
    with (live / "metrics.csv").open("a", newline="") as f:
        f.write("13,1767261000.5,0.1,-4")  # a row being written: no end of line yet
    broken = copy_run(finished, root / "td-control" / "20260101-120000-000")
    (broken / "config.json").write_text('{"plugin": "td-control", "conf')
    headless = root / "sweep" / "a" / "killed"
    headless.mkdir(parents=True)
    (headless / "metrics.csv").write_text("step,wall_time,loss\r\n1,10.0,5.0\r\n2,11.5,3.0\r\n3,12.0,4.0\r\n")
    (root / "td-control" / "notes").mkdir()  # a folder that is no run
    return root


def by_rel(runs) -> dict:
    return {r.rel: r for r in runs}


def test_lists_every_run_with_what_can_be_read_and_a_warning_for_what_cannot(root):
    runs = by_rel(RunIndex(root).scan())
    assert set(runs) == {
        "td-control/20260101-100000-000",
        "td-control/20260101-110000-000",
        "td-control/20260101-120000-000",
        "sweep/a/killed",
    }
    done = runs["td-control/20260101-100000-000"]
    metrics = read_metrics(Path(done.path) / "metrics.csv")
    assert (done.plugin, done.state, done.warnings) == ("td-control", "finished", [])
    assert done.diff == {"episodes": 12, "alpha": 0.3}  # the defaults are left out
    assert done.steps == 12 and done.rows == 12
    assert done.metrics["episode_return"] == {
        "final": metrics["episode_return"][-1],
        "best": metrics["episode_return"].max(),
    }
    assert (
        done.started == metrics["wall_time"][0] and done.duration == metrics["wall_time"][-1] - metrics["wall_time"][0]
    )
    assert {"checkpoint.pt", "q_values.npy"} <= set(done.files)

    live = runs["td-control/20260101-110000-000"]
    assert live.state == "running" and live.rows == 12  # the half-written row is left out
    assert not any("cut short" in w for w in live.warnings)  # being written, no damage: read once it ends
    assert any("checkpoint" in w for w in live.warnings)

    broken = runs["td-control/20260101-120000-000"]
    assert broken.plugin is None and any("config.json is unreadable" in w for w in broken.warnings)
    assert broken.rows == 12  # its metrics are still read

    killed = runs["sweep/a/killed"]
    assert any("no config.json" in w for w in killed.warnings)
    assert killed.metrics["loss"] == {"final": 4.0, "best": 3.0}  # a loss is best at its minimum
    assert killed.duration == 2.0


def test_a_run_that_says_running_but_wrote_nothing_for_long_is_called_killed(root):
    live = root / "td-control" / "20260101-110000-000"
    assert not [
        w for w in by_rel(RunIndex(root).scan())["td-control/20260101-110000-000"].warnings if "killed, or paused" in w
    ]
    hour_ago = time.time() - 3600
    for f in live.iterdir():
        os.utime(f, (hour_ago, hour_ago))
    info = by_rel(RunIndex(root).scan())["td-control/20260101-110000-000"]
    assert "it says running, but nothing was written for 60 min: killed, or paused?" in info.warnings
    assert not [w for r in RunIndex(root).scan() if r.state != "running" for w in r.warnings if "killed, or" in w]


def test_listing_opens_nothing_for_writing(root):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    RunIndex(root).scan()
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file() and p.name != INDEX_NAME}
    assert after == before


def age(root: Path, seconds: float = 3600) -> None:
    """Move every file's and folder's times back, as if the runs were written ``seconds`` ago."""
    then = time.time() - seconds
    for p in [*root.rglob("*"), root]:
        os.utime(p, (then, then))


def test_a_second_listing_reads_only_the_runs_that_changed(root):
    age(root)
    RunIndex(root).scan()
    assert (root / INDEX_NAME).is_file()
    killed = root / "sweep" / "a" / "killed" / "metrics.csv"
    done = root / "td-control" / "20260101-100000-000" / "metrics.csv"
    # the same size and mtime but other bytes: only a re-read would see it
    stat = done.stat()
    done.write_bytes(done.read_bytes().replace(b",", b";"))
    os.utime(done, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with killed.open("a", newline="") as f:
        f.write("4,13.0,1.5\r\n")
    runs = by_rel(RunIndex(root).scan())  # a new index object: from the cache file
    assert runs["sweep/a/killed"].metrics["loss"] == {"final": 1.5, "best": 1.5} and runs["sweep/a/killed"].rows == 4
    assert runs["td-control/20260101-100000-000"].rows == 12  # cached, not re-read
    annotate(done.parent, tags=["baseline"])
    assert by_rel(RunIndex(root).scan())["td-control/20260101-100000-000"].warnings  # re-read now: ';' is no CSV


def test_a_run_being_trained_neither_rewrites_the_index_file_nor_remakes_the_other_runs(root):
    """A browser refreshing beside a training run reads that run again, and nothing else."""
    age(root)
    index = RunIndex(root)
    before = by_rel(index.scan())
    written = (root / INDEX_NAME).stat().st_mtime_ns
    live = "td-control/20260101-110000-000"
    metrics = root / live / "metrics.csv"
    whole = metrics.read_text().splitlines()[-2].split(",")
    with metrics.open("a", newline="") as f:
        f.write("\n" + ",".join(["14", *whole[1:]]) + "\n")  # the row being written ends; one more comes
    after = by_rel(index.scan())
    assert after[live].rows == before[live].rows + 1 and after[live].steps == 14
    assert (root / INDEX_NAME).stat().st_mtime_ns == written
    assert all(after[rel] is before[rel] for rel in before if rel != live)
    (root / live / "config.json").write_text(json.dumps({"plugin": "td-control", "state": "finished"}))
    index.scan()  # it ended: now the file is written, and a new index reads it from there
    assert (root / INDEX_NAME).stat().st_mtime_ns != written
    assert by_rel(RunIndex(root).scan())[live].state == "finished"


def test_a_live_runs_rows_are_followed_as_they_come_and_read_whole_once_it_ends(root):
    age(root)
    index = RunIndex(root)
    live = "td-control/20260101-110000-000"
    metrics = root / live / "metrics.csv"
    first = by_rel(index.scan())[live]
    header = metrics.read_text().splitlines()[0].split(",")

    def row(step: int, value: float) -> str:
        cells = dict.fromkeys(header, "") | {"step": step, "wall_time": 1767261000.0 + step, "episode_return": value}
        return ",".join(str(cells[k]) for k in header)

    with metrics.open("a", newline="") as f:
        f.write("\r\n" + row(14, -2.0) + "\r\n" + row(15, -7.0)[:5])  # 13 ends (too short), 14 comes, 15 is begun
    second = by_rel(index.scan())[live]
    assert (second.rows, second.steps, second.metrics["episode_return"]["final"]) == (13, 14, -2.0)
    assert second.metrics["episode_return"]["best"] == max(first.metrics["episode_return"]["best"], -2.0)
    with metrics.open("a", newline="") as f:
        f.write(row(15, -7.0)[5:] + "\r\n")
    assert by_rel(index.scan())[live].metrics["episode_return"]["final"] == -7.0
    # cut back by a resume (written beside it, renamed over it): read from the start
    kept = metrics.read_text().splitlines()[:4]
    (root / live / "metrics.tmp").write_text("\r\n".join(kept) + "\r\n")
    os.replace(root / live / "metrics.tmp", metrics)
    assert by_rel(index.scan())[live].rows == 3
    (root / live / "config.json").write_text(json.dumps({"plugin": "td-control", "state": "finished"}))
    with metrics.open("a", newline="") as f:
        f.write("4,1.0")  # killed mid-row: an ended run is read whole, with what is wrong in it
    assert any("cut short" in w for w in by_rel(index.scan())[live].warnings)


def test_a_run_that_changes_within_the_clock_tick_of_a_listing_is_read_again(root):
    """File times move in ticks of a few ms: a change in the same tick as the last listing leaves them as
    they were, so a run written just before a listing is read again at the next."""
    run = root / "sweep" / "a" / "killed"
    assert by_rel(RunIndex(root).scan())["sweep/a/killed"].rows == 3  # written just now
    times = {p: p.stat().st_mtime_ns for p in (run, run / "metrics.csv")}
    (run / "metrics.csv").write_text("step,wall_time,loss\r\n1,10.0,5.0\r\n2,11.5,3.0\r\n3,12.0,9.0\r\n")  # same size
    for p, ns in times.items():
        os.utime(p, ns=(ns, ns))
    assert by_rel(RunIndex(root).scan())["sweep/a/killed"].metrics["loss"]["final"] == 9.0


def test_tags_and_note_are_kept_in_run_json(root):
    run = root / "td-control" / "20260101-100000-000"
    annotate(run, tags=["baseline", " cliff ", "baseline"])
    annotate(run, note="the reference")
    assert json.loads((run / "run.json").read_text()) == {"tags": ["baseline", "cliff"], "note": "the reference"}
    info = by_rel(RunIndex(root).scan())["td-control/20260101-100000-000"]
    assert (info.tags, info.note) == (["baseline", "cliff"], "the reference")
    assert not [p for p in run.iterdir() if p.name.startswith(".")]


def test_delete_moves_to_the_trash_and_restore_brings_it_back(root):
    index = RunIndex(root)
    run = index.resolve("110000-000")
    trashed = index.trash(run)
    assert trashed == root / ".trash" / "td-control" / "20260101-110000-000" and not run.exists()
    assert "td-control/20260101-110000-000" not in by_rel(index.scan())
    assert [r.rel for r in index.trashed()] == ["td-control/20260101-110000-000"]
    assert index.restore(index.resolve("110000-000", trashed=True)) == run
    assert "td-control/20260101-110000-000" in by_rel(index.scan())


def test_a_run_is_named_by_its_path_or_a_unique_end_of_it(root):
    index = RunIndex(root)
    assert index.resolve("killed") == root / "sweep" / "a" / "killed"
    assert index.resolve(str(root / "sweep" / "a" / "killed")) == root / "sweep" / "a" / "killed"
    with pytest.raises(UnknownRun, match="matches 3 runs"):
        index.resolve("-000")
    with pytest.raises(UnknownRun, match="no run 'nope'"):
        index.resolve("nope")


# ---------- the CLI ----------
def test_cli_lists_shows_and_compares(root, capsys):
    assert main(["runs", "list", "--root", str(root), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4 and all({"path", "plugin", "state", "metrics", "warnings"} <= set(r) for r in rows)
    assert main(["runs", "list", "--root", str(root), "--plugin", "td-control"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("td-control" in line for line in lines)  # the broken one has no plugin
    assert main(["runs", "show", "killed", "--root", str(root)]) == 0
    shown = capsys.readouterr().out
    assert "warning: no config.json" in shown and "final 4" in shown


def test_cli_compare_gives_final_best_area_and_the_mean_over_seeds(tmp_path, capsys):
    root = tmp_path / "runs"
    for seed in (1, 2):
        td_run(root / f"s{seed}", f"seed={seed}", "alpha=0.2")
    td_run(root / "other", "seed=1", "alpha=0.9")
    capsys.readouterr()
    assert main(["runs", "compare", "s1", "s2", "other", "--metric", "episode_return", "--root", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    finals = [read_metrics(root / name / "metrics.csv")["episode_return"][-1] for name in ("s1", "s2")]
    steps = read_metrics(root / "s1" / "metrics.csv")["step"]
    area = np.trapezoid(read_metrics(root / "s1" / "metrics.csv")["episode_return"], steps)
    assert out[1].split() == [
        "alpha=0.2,",
        "seed",
        "1",
        f"{finals[0]:.4g}",
        f"{read_metrics(root / 's1' / 'metrics.csv')['episode_return'].max():.4g}",
        f"{area:.4g}",
    ]
    pooled = next(line for line in out if line.startswith("alpha=0.2 (2 seeds)"))
    assert f"final {np.mean(finals):.4g} ± {np.std(finals):.4g}" in pooled
    assert not any(line.startswith("alpha=0.9 (") for line in out)  # a single run is no group


@pytest.mark.parametrize(
    "args",
    [
        ["runs", "show", "nope"],
        ["runs", "rm", "nope"],
        ["runs", "restore", "killed"],
        ["runs", "compare", "killed", "--metric", "nope"],
        ["export", "nope", "--tensorboard", "x"],
    ],
)
def test_cli_unknown_run_or_metric_is_one_line_with_exit_code_2(root, capsys, args):
    assert main([*args, "--root", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("workbench: error: ")


def test_an_unknown_metric_names_the_ones_the_runs_log(root, capsys):
    runs = ["td-control/20260101-100000-000", "sweep/a/killed"]
    assert main(["runs", "compare", *runs, "--metric", "retrun", "--root", str(root)]) == 2
    assert "they log episode_length, episode_return, epsilon, loss" in capsys.readouterr().err


def test_cli_rm_and_restore(root, capsys):
    assert main(["runs", "rm", "killed", "--root", str(root)]) == 0
    assert not (root / "sweep" / "a" / "killed").exists()
    assert main(["runs", "restore", "killed", "--root", str(root)]) == 0
    assert (root / "sweep" / "a" / "killed" / "metrics.csv").is_file()


# ---------- forks ----------
def test_a_fork_starts_from_the_checkpoint_with_new_settings_and_records_its_parent(tmp_path, finished):
    out = tmp_path / "fork"
    assert (
        main(
            [
                "run",
                "td-control",
                "--quiet",
                "--fork",
                str(finished),
                "--set",
                "episodes=20",
                "--set",
                "epsilon=0.3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    doc = json.loads((out / "config.json").read_text())
    assert doc["parent"] == {"run": str(finished.resolve()), "step": 12}
    assert doc["config"]["epsilon"] == 0.3 and doc["config"]["alpha"] == 0.3  # the parent's settings, changed
    assert list(read_metrics(out / "metrics.csv")["step"]) == list(range(13, 21))
    assert read_run(out).parent["step"] == 12
    assert json.loads((finished / "config.json").read_text())["parent"] is None  # the parent is untouched


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--set", "env=FrozenLake-v1"], "cannot resume with env changed"),
        (["--resume", "x"], "--fork and --resume cannot be combined"),
    ],
)
def test_a_fork_that_cannot_be_made_writes_nothing(tmp_path, finished, capsys, extra, message):
    out = tmp_path / "fork"
    assert main(["run", "td-control", "--quiet", "--fork", str(finished), *extra, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


@pytest.fixture(scope="module")
def with_history(tmp_path_factory) -> Path:
    """A finished run that checkpointed at every episode: a history of earlier checkpoints."""
    out = tmp_path_factory.mktemp("runs") / "history"
    assert main([*TD, "--set", "alpha=0.3", "--checkpoint-every", "1e-9", "--out", str(out)]) == 0
    return out


def test_a_fork_at_a_step_starts_from_the_checkpoint_at_or_before_it(tmp_path, with_history):
    steps = checkpoint_steps(with_history)
    i = next(i for i in range(len(steps) - 1) if steps[i + 1] > steps[i] + 1)  # thinning left gaps
    wanted = steps[i + 1] - 1  # between two checkpoints: the earlier one is taken
    out = tmp_path / "fork"
    assert main([*TD, "--fork", str(with_history), "--step", str(wanted), "--out", str(out)]) == 0
    doc = json.loads((out / "config.json").read_text())
    assert doc["parent"] == {"run": str(with_history.resolve()), "step": steps[i]}
    assert list(read_metrics(out / "metrics.csv")["step"]) == list(range(steps[i] + 1, 13))


def test_a_fork_at_a_step_with_no_checkpoint_says_which_steps_there_are(tmp_path, with_history, capsys):
    out = tmp_path / "fork"
    assert main([*TD, "--fork", str(with_history), "--step", "-1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no checkpoint at or before step -1" in err
    assert ", ".join(map(str, checkpoint_steps(with_history))) in err and not out.exists()


def test_step_without_fork_is_refused(tmp_path, capsys):
    assert main([*TD, "--step", "3", "--out", str(tmp_path / "x")]) == 2
    assert "--step needs --fork" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_a_run_at_the_end_of_its_budget_resumes_and_forks_without_losing_its_step(tmp_path, with_history):
    """Nothing is left to train: resuming keeps the checkpoint's step and history, and a fork is
    still a whole run folder (its trainer used to end before any file but the checkpoint)."""
    again = copy_run(with_history, tmp_path / "again")
    history = checkpoint_steps(again)
    assert main(["run", "td-control", "--quiet", "--resume", str(again), "--out", str(again)]) == 0
    assert checkpoint_steps(again) == history and load_checkpoint(again / "checkpoint.pt", "td-control")["step"] == 12
    fork = tmp_path / "fork"
    assert (
        main(["run", "td-control", "--quiet", "--fork", str(with_history), "--set", "alpha=0.1", "--out", str(fork)])
        == 0
    )
    doc = json.loads((fork / "config.json").read_text())
    assert doc["state"] == "finished" and doc["parent"]["step"] == 12 and doc["config"]["alpha"] == 0.1
    assert read_run(fork).warnings == [] and checkpoint_steps(fork) == [12]


def test_a_fork_into_its_own_folder_is_refused(finished, capsys):
    assert main(["run", "td-control", "--quiet", "--fork", str(finished), "--out", str(finished)]) == 2
    assert "a fork needs a new folder" in capsys.readouterr().err


# ---------- comparing ----------
def test_a_band_cut_to_fewer_points_only_widens():
    x = np.arange(10_001.0)
    mean = np.sin(x / 300)
    low, high = mean - 0.1, mean + 0.1
    cx, clow, chigh = envelope(x, low, high, 400)
    assert len(cx) <= 400 and cx[0] == 0
    bins = np.searchsorted(cx, x, side="right") - 1  # the bin each original point fell in
    assert np.all(clow[bins] <= low) and np.all(chigh[bins] >= high)
    assert clow.min() == low.min() and chigh.max() == high.max()
    assert len(envelope(x[:50], low[:50], high[:50], 400)[0]) == 50  # a short band is left as it is


def test_mean_and_band_match_numpy():
    rng = np.random.default_rng(0)
    steps = np.arange(50, dtype=float)
    curves = [rng.normal(size=50) for _ in range(4)]
    x, mean, std = mean_band([(steps, c) for c in curves])
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_allclose(mean, np.mean(curves, axis=0))
    np.testing.assert_allclose(std, np.std(curves, axis=0))
    # a shorter run limits the band to the steps all cover, the others interpolated there
    x, mean, _ = mean_band([(steps, curves[0]), (steps[::2][:10], curves[1][::2][:10])])
    np.testing.assert_array_equal(x, steps[:19])
    np.testing.assert_allclose(mean, (curves[0][:19] + np.interp(steps[:19], steps[::2][:10], curves[1][::2][:10])) / 2)


def test_ema_is_tensorboards_debiased_smoothing():
    values = np.array([1.0, 3.0, np.nan, 2.0])
    last, n, expected = 0.0, 0, []
    for v in (1.0, 3.0, 2.0):
        last, n = last * 0.6 + 0.4 * v, n + 1
        expected.append(last / (1 - 0.6**n))
    out = ema(values, 0.6)
    np.testing.assert_allclose(out[[0, 1, 3]], expected)
    assert np.isnan(out[2]) and out[0] == 1.0  # debiased: the first value is itself
    np.testing.assert_array_equal(ema(values, 0.0), values)


def test_runs_are_named_by_what_differs_and_grouped_over_seeds():
    configs = [
        {"alpha": 0.1, "seed": 1, "env": "x"},
        {"alpha": 0.1, "seed": 2, "env": "x"},
        {"alpha": 0.5, "seed": 1, "env": "x"},
    ]
    keys = varying(configs)
    assert keys == ["alpha", "seed"]
    assert [label(c, keys) for c in configs] == ["alpha=0.1, seed 1", "alpha=0.1, seed 2", "alpha=0.5, seed 1"]
    assert seed_groups(configs) == [[0, 1], [2]]


def test_runs_of_two_plugins_are_named_by_plugin_not_by_settings_only_one_has():
    configs = [{"plugin": "a", "lr": 0.1, "seed": 1}, {"plugin": "b", "gamma": 0.9, "seed": 1}]
    keys = varying(configs)
    assert [label(c, keys) for c in configs] == ["plugin=a", "plugin=b"]
    assert seed_groups(configs) == [[0], [1]]


def test_a_runs_settings_are_compared_with_the_defaults_of_its_own_algorithm():
    from workbench.core.config import to_dict
    from workbench_plugins.policy_gradient.config import Config

    a2c = to_dict(Config(algo="a2c"))
    assert config_diff("policy-gradient", a2c)[0] == {"algo": "a2c"}  # gamma 0.99 is A2C's own default
    assert config_diff("policy-gradient", {**a2c, "gamma": 0.98})[0] == {"algo": "a2c", "gamma": 0.98}
    assert config_diff("policy-gradient", to_dict(Config()))[0] == {}


def test_a_trial_its_sweep_pruned_is_listed_pruned_not_stopped_and_follows_the_sweep(tmp_path, finished):
    """A pruned trial's own config.json says stopped, as an interrupted run's does; the index
    reads the sweep.json beside it, again only once that file changed."""
    sweep = tmp_path / "runs" / "lr-search"
    for name in ("lr=0.1", "lr=0.2", "lr=0.3"):
        run = copy_run(finished, sweep / name)
        doc = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps({**doc, "state": "stopped"}))
    records = [{"id": "lr=0.1", "state": "pruned"}, {"id": "lr=0.2", "state": "stopped"}]
    (sweep / "sweep.json").write_text(json.dumps({"plugin": "td-control", "trials": records}))
    index = RunIndex(tmp_path / "runs")
    states = {r.rel: r.state for r in index.scan()}
    assert states == {"lr-search/lr=0.1": "pruned", "lr-search/lr=0.2": "stopped", "lr-search/lr=0.3": "stopped"}
    # resumed by the sweep, it is no longer pruned; the index sees the new sweep.json
    records[0]["state"] = "stopped"
    (sweep / "sweep.json").write_text(json.dumps({"plugin": "td-control", "trials": records, "again": 1}))
    assert {r.rel: r.state for r in index.scan()}["lr-search/lr=0.1"] == "stopped"
    (sweep / "sweep.json").write_text("{not json")  # a damaged sweep.json hides no run
    assert len(index.scan()) == 3


def test_the_list_gives_steps_whole_and_a_pruned_trial_as_pruned(tmp_path, capsys):
    run = tmp_path / "runs" / "search" / "lr=0.1"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"plugin": "dqn", "state": "stopped", "config": {}}))
    (run / "metrics.csv").write_text("step,wall_time,loss\n36130,1.0,0.5\n")
    (run.parent / "sweep.json").write_text(json.dumps({"trials": [{"id": "lr=0.1", "state": "pruned"}]}))
    assert main(["runs", "list", "--root", str(tmp_path / "runs")]) == 0
    line = capsys.readouterr().out.strip()
    assert " pruned " in line and "step 36,130 " in line, line
