"""The optimiser race: each racer's path is a plain torch.optim loop, the live sliders reach the
right param_groups, a click restarts the race from the clicked point, and the MLP learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from trainers import collect

from workbench.core.manifest import find
from workbench_plugins.optimisers.config import SURFACE_NAMES, Config
from workbench_plugins.optimisers.draw import EDGE_LABEL, MINIMUM_LABEL, SIZE
from workbench_plugins.optimisers.methods import METHODS, apply, make
from workbench_plugins.optimisers.race import SurfaceRace
from workbench_plugins.optimisers.surfaces import SURFACES
from workbench_plugins.optimisers.trainer import train

CFG = Config(lr=1e-3, adaptive_lr=0.03, momentum=0.8, beta1=0.85, beta2=0.99, weight_decay=0.01)
PLAIN = {  # the same hyperparameters, written out as a person would for torch.optim
    "SGD": lambda p: torch.optim.SGD(p, lr=1e-3, weight_decay=0.01),
    "Momentum": lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.8, weight_decay=0.01),
    "Nesterov": lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.8, nesterov=True, weight_decay=0.01),
    "RMSProp": lambda p: torch.optim.RMSprop(p, lr=0.03, weight_decay=0.01),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.03, weight_decay=0.01),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.03, betas=(0.85, 0.99), weight_decay=0.01),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=0.03, betas=(0.85, 0.99), weight_decay=0.01),
}
N = 60


def plain_loop(surface, method: str, start: tuple[float, float], seed: int) -> np.ndarray:
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = PLAIN[method]([p])
    noise = torch.Generator().manual_seed(seed)
    path = [start]
    for _ in range(N):
        g = torch.randn(2, generator=noise, dtype=torch.float64) * surface.noise
        opt.zero_grad()
        surface.f(p[0], p[1]).backward()
        if surface.noise:
            p.grad += g
        opt.step()
        path.append(tuple(p.tolist()))
    return np.array(path)


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "saddle", "noisy-quadratic"])
def test_every_path_equals_a_plain_torch_optim_loop(name):
    surface = SURFACES[name]
    race = SurfaceRace(surface, surface.start, CFG, seed=3)
    for _ in range(N):
        race.step(CFG)
    assert not race.diverged
    for method in METHODS:
        np.testing.assert_array_equal(
            np.array(race.paths[method]), plain_loop(surface, method, surface.start, 3), err_msg=method
        )


def test_live_sliders_reach_only_the_methods_that_have_them():
    params = {m: [torch.zeros(2, requires_grad=True)] for m in METHODS}
    optimisers = {m: make(m, params[m], Config()) for m in METHODS}
    moved = Config(lr=0.3, adaptive_lr=0.02, momentum=0.5, beta1=0.7, beta2=0.95, weight_decay=0.1)
    for m, opt in optimisers.items():
        apply(opt, m, moved)
    groups = {m: opt.param_groups[0] for m, opt in optimisers.items()}
    assert groups["SGD"]["momentum"] == 0 and groups["SGD"]["lr"] == 0.3
    assert groups["Momentum"]["momentum"] == 0.5 and groups["Nesterov"]["nesterov"]
    assert groups["RMSProp"]["momentum"] == 0 and groups["RMSProp"]["lr"] == 0.02
    assert groups["Adam"]["betas"] == (0.7, 0.95) and groups["AdamW"]["betas"] == (0.7, 0.95)
    assert all(g["weight_decay"] == 0.1 for g in groups.values())


def path_starts(arrays) -> set[tuple[float, float]]:
    """The first point of every optimiser's path in the clickable plane view."""
    points, labels = arrays["plane"], arrays["plane_labels"]
    return {tuple(np.round(points[labels == i][0], 4)) for i in range(len(METHODS))}


def test_the_start_action_restarts_the_race_from_the_clicked_point():
    cfg = Config(steps=30, steps_per_s=0.0, hidden=8)
    snaps = collect(train, cfg, actions=(("start", {"x": 0.5, "y": -0.75}),))
    drawn = [s for s in snaps if "plane" in s.arrays]
    assert path_starts(drawn[0].arrays) == {tuple(np.float32(SURFACES["rosenbrock"].start).round(4))}
    assert path_starts(drawn[-1].arrays) == {(0.5, -0.75)}
    assert drawn[-1].arrays["steps_to_tol"].max() == 30  # a new race of the full length


def test_a_tiny_run_lowers_the_mlp_loss_of_every_optimiser():
    cfg = Config(steps=150, steps_per_s=0.0, hidden=32, lr=0.1, adaptive_lr=0.005, surface="ill-conditioned")
    snaps = collect(train, cfg)
    for method in METHODS:
        losses = [s.scalars[f"loss/{method}"] for s in snaps if f"loss/{method}" in s.scalars]
        assert len(losses) == 150
        assert np.mean(losses[-20:]) < 0.7 * np.mean(losses[:5]), method


def test_arrival_steps_are_logged_once_and_shown_as_bars():
    cfg = Config(surface="ill-conditioned", steps=400, steps_per_s=0.0, hidden=8)
    snaps = collect(train, cfg)
    arrivals = {k: s.scalars[k] for s in snaps for k in s.scalars if k.startswith("steps_to_tol/")}
    logged = [k for s in snaps for k in s.scalars if k.startswith("steps_to_tol/")]
    assert len(logged) == len(arrivals) >= 4
    bars = snaps[-1].arrays["steps_to_tol"]
    for i, method in enumerate(METHODS):
        if f"steps_to_tol/{method}" in arrivals:
            assert bars[i] == arrivals[f"steps_to_tol/{method}"] < 400


def test_the_plane_legend_names_each_label_the_trainer_draws():
    scatter = next(v for v in find("optimisers").views if v.kind == "scatter")
    bars = next(v for v in find("optimisers").views if v.kind == "bars")
    assert scatter.options["classes"] == [*bars.options["labels"], "minimum", "map edge"]
    assert len(bars.options["labels"]) == len(METHODS)
    assert scatter.options["classes"][MINIMUM_LABEL] == "minimum"
    assert scatter.options["classes"][EDGE_LABEL] == "map edge"


def test_the_map_is_a_heatmap_on_the_planes_axes_and_the_race_picture_holds_no_legend():
    """The surface is drawn on named x and y axes over the surface's own range with a labelled
    colour bar; the recorded picture is the bare map, no legend or ranges written into it."""
    heatmap = next(v for v in find("optimisers").views if v.kind == "heatmap")
    assert heatmap.keys == ("surface",) and heatmap.options["extent_key"] == "surface_extent"
    assert (heatmap.options["x_label"], heatmap.options["y_label"]) == ("x", "y")
    assert heatmap.options["colorbar_label"]
    first = collect(train, Config(surface="beale", steps=2, steps_per_s=0.0, hidden=8))[0].arrays
    surface = SURFACES["beale"]
    assert first["surface_extent"].tolist() == [*surface.xlim, *surface.ylim]
    assert np.isfinite(first["surface"]).all() and first["surface"].ndim == 2
    assert first["race"].shape == (SIZE, SIZE, 3)


def test_the_config_offers_exactly_the_surfaces_there_are():
    assert set(SURFACE_NAMES) == set(SURFACES)
