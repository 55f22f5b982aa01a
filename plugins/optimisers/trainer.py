"""Optimisers racing side by side: SGD, momentum, Nesterov, RMSProp, Adagrad, Adam and AdamW, all
torch.optim's own, on a 2-D surface (watched as paths on a contour map) and on an MLP learning the
digits (watched as loss curves). A click on the plane restarts the surface race from there."""

from __future__ import annotations

import time
from collections.abc import Generator

import numpy as np
import torch

from workbench.core.driver import RunContext
from workbench.core.seeding import rng_state, seed_everything, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data import builtin
from workbench_plugins.optimisers.config import Config
from workbench_plugins.optimisers.draw import EDGE_LABEL, MINIMUM_LABEL, background, race_image, surface_map
from workbench_plugins.optimisers.methods import METHODS
from workbench_plugins.optimisers.race import MlpRace, SurfaceRace
from workbench_plugins.optimisers.surfaces import SURFACES, Surface

DRAW_EVERY_S = 0.1  # the map and the plane are redrawn at most this often (and at a new race, and at the end)
PATH_POINTS = 300  # points per path in the clickable plane view


def map_edge(surface: Surface, per_side: int = 40) -> np.ndarray:
    """Points along the border of the drawn part of the plane, so the clickable view frames the
    same region as the contour map (and a click can land anywhere in it)."""
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    t = np.linspace(0.0, 1.0, per_side, endpoint=False)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(per_side, x1), x1 - (x1 - x0) * t, np.full(per_side, x0)])
    ys = np.concatenate([np.full(per_side, y0), y0 + (y1 - y0) * t, np.full(per_side, y1), y1 - (y1 - y0) * t])
    return np.stack([xs, ys], axis=1).astype(np.float32)


def plane_points(race: SurfaceRace) -> tuple[np.ndarray, np.ndarray]:
    """The clickable view's points: the map's edge, the minima, then every path (thinned), and their labels."""
    edge, minima = map_edge(race.surface), np.asarray(race.surface.minima, dtype=np.float32)
    xy = [edge, minima]
    labels = [np.full(len(edge), EDGE_LABEL), np.full(len(minima), MINIMUM_LABEL)]
    for i, method in enumerate(METHODS):
        path = np.asarray(race.paths[method], dtype=np.float32)
        path = path[:: max(1, len(path) // PATH_POINTS)]
        xy.append(path)
        labels.append(np.full(len(path), i))
    return np.concatenate(xy).astype(np.float32), np.concatenate(labels).astype(np.int64)


def steps_to_tol(race: SurfaceRace) -> np.ndarray:
    """Per method: the step it came within tol, or the steps so far while it is still on its way,
    or 0 once it has diverged."""
    return np.array([race.reached.get(m, 0 if m in race.diverged else race.steps) for m in METHODS], np.float32)


def wait_until(ctx: RunContext, until: float) -> None:
    """Playback pacing that still lets Stop land at once."""
    while not ctx.should_stop() and (left := until - time.perf_counter()) > 0:
        time.sleep(min(left, 0.05))


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # TRY NOT TO MODIFY: seeding
    seed_everything(cfg.seed, cfg.threads)
    surface = SURFACES[cfg.surface]
    base = background(surface)
    images, labels = builtin.digits()
    mlp = MlpRace(
        torch.from_numpy(np.array(images)),
        torch.from_numpy(np.array(labels)),
        cfg.hidden,
        cfg.batch_size,
        cfg,
        cfg.seed,
    )
    race = SurfaceRace(surface, surface.start, cfg, cfg.seed)
    step = 0
    if ctx.resume is not None:  # every racer goes on from where it stood, with the noise and batches it had
        start = ctx.resume["race"]["start"]
        race = SurfaceRace(surface, (float(start[0]), float(start[1])), cfg, cfg.seed)
        race.load_state_dict(ctx.resume["race"])
        mlp.load_state_dict(ctx.resume["mlp"])
        step = int(ctx.resume["step"])
        set_rng_state(ctx.resume["rng"])
    ctx.keep_state(lambda: {"race": race.state_dict(), "mlp": mlp.state_dict(), "step": step, "rng": rng_state()})

    def drawn() -> dict[str, np.ndarray]:
        paths = {m: np.asarray(p, dtype=float) for m, p in race.paths.items()}
        points, point_labels = plane_points(race)
        return {
            "race": race_image(surface, base, paths, race.start),
            "plane": points,
            "plane_labels": point_labels,
            "steps_to_tol": steps_to_tol(race),
        }

    yield Snapshot(step, arrays={**surface_map(surface), **drawn()}, progress=0.0)
    last_drawn, next_at = time.perf_counter(), time.perf_counter()
    while race.steps < cfg.steps:
        cfg = ctx.config
        new_start = [(e.payload["x"], e.payload["y"]) for e in ctx.events() if e.name == "start"]
        if new_start:
            race = SurfaceRace(surface, new_start[-1], cfg, cfg.seed)

        # ALGO LOGIC: one step of every optimiser on the surface and on its MLP
        arrived = set(race.reached)
        race.step(cfg)
        losses = mlp.step(cfg)
        step += 1

        # SNAPSHOT: f - f* and MLP losses per method; arrivals once; pictures at a watchable rate
        scalars = {f"gap/{m}": max(g, 1e-16) for m, g in race.gaps().items()}
        scalars.update({f"loss/{m}": v for m, v in losses.items()})
        scalars.update({f"steps_to_tol/{m}": float(race.reached[m]) for m in set(race.reached) - arrived})
        now = time.perf_counter()
        arrays = {}
        if new_start or now - last_drawn >= DRAW_EVERY_S or race.steps == cfg.steps:
            arrays, last_drawn = drawn(), now
        if cfg.steps_per_s > 0:
            next_at = max(next_at + 1.0 / cfg.steps_per_s, now - 0.5)
            wait_until(ctx, next_at)
        yield Snapshot(step, scalars=scalars, arrays=arrays, progress=race.steps / cfg.steps)
