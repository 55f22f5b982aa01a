"""Every registered plugin runs headless on its smoke budget, writes its files, and closes cleanly."""

from __future__ import annotations

import math

import pytest

from workbench.core.cli import build_config
from workbench.core.driver import Run
from workbench.core.manifest import BUILTIN_PACKAGE, discover, with_import_errors
from workbench.core.sinks import HistorySink, LatestSink, read_metrics

BUILTIN_IDS = {
    "bandit",
    "cnn-lens",
    "ddpm",
    "dqn",
    "draw",
    "gan",
    "gridworld-dp",
    "policy-gradient",
    "td-control",
    "vae",
}
MANIFESTS = [m for m in discover() if not m.broken]


def smoke_config(m):
    return build_config(m, [f"{k}={v}" for k, v in m.smoke.items()])


def test_every_builtin_plugin_is_registered_and_loads():
    """A broken manifest or config module would otherwise drop its plugin from the runs below unnoticed."""
    builtin = with_import_errors([m for m in discover() if m.package.startswith(BUILTIN_PACKAGE)])
    assert [(m.package, m.error) for m in builtin if m.broken] == []
    assert BUILTIN_IDS <= {m.id for m in builtin}


@pytest.mark.parametrize("m", MANIFESTS, ids=lambda m: m.id)
def test_smoke_run_writes_metrics_and_views(m, tmp_path):
    history, latest = HistorySink(), LatestSink()
    run = Run(m, smoke_config(m), device="cpu", out_dir=tmp_path, sinks=[history, latest], on_nonfinite="stop")
    status = run.run()
    assert status.state == "finished", run.error
    metrics = read_metrics(tmp_path / "metrics.csv")
    assert len(metrics["step"]) > 0
    assert all(math.isfinite(v) for col, vals in metrics.items() for v in vals if not math.isnan(v))
    assert (tmp_path / "config.json").is_file()
    shown = {k for v in m.views if not v.options.get("optional") for k in v.keys}
    produced = set(history.keys()) | set(latest.keys())
    missing = [k for k in shown if k not in produced and not any(p.startswith(k + "/") for p in produced)]
    assert not missing, f"views of {m.id} show keys its trainer never produced: {missing}"
    if m.record:
        assert m.record in latest.keys()


@pytest.mark.parametrize("m", MANIFESTS, ids=lambda m: m.id)
def test_close_mid_run_is_clean(m):
    import threading

    from workbench.core.driver import RunContext

    cfg = smoke_config(m)
    gen = m.trainer_function()(cfg, RunContext(cfg, "cpu", None, None, threading.Event()))
    next(gen)
    gen.close()
    with pytest.raises(StopIteration):  # closed for good: its finally ran without yielding again
        next(gen)
