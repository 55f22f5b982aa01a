"""The cnn-lens trainer: it learns digits, its lens views refresh while it trains, bad input is named."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from workbench.core.driver import RunContext
from workbench_plugins.cnn_lens.config import Config
from workbench_plugins.cnn_lens.trainer import train

SMALL = dict(data="digits", images=600, size=16, eval_every=1000, probe=32, dream_steps=3)


def run(cfg: Config, changes: dict[int, dict] | None = None) -> list:
    """All snapshots of a run; ``changes`` maps a step to live changes sent after it."""
    ctx = RunContext(cfg, "cpu", None, None, threading.Event())
    gen = train(cfg, ctx)
    snaps = [next(gen)]
    try:
        while True:
            change = (changes or {}).get(snaps[-1].step)
            if change:
                ctx.config = Config(**{**ctx.config.__dict__, **change})
            snaps.append(next(gen))
    except StopIteration:
        return snaps


def test_classifier_learns_sklearn_digits_on_a_small_budget():
    snaps = run(Config(**{**SMALL, "steps": 100, "batch_size": 32, "lens_every": 0}))
    assert snaps[-1].scalars["test_accuracy"] >= 0.85
    assert snaps[-1].scalars["loss"] < snaps[0].scalars["loss"] / 3
    assert not any(s.arrays for s in snaps)  # lens_every=0 turns the lens off


def test_lens_refreshes_at_its_rate_and_at_once_when_the_feature_changes():
    """Against a same-seed run without the change: the same until it lands, then the lens redraws at
    once, on the new feature (its top 9 differ at the next redraw both runs make)."""
    cfg = Config(**{**SMALL, "steps": 12, "lens_every": 5})
    snaps, kept = run(cfg, changes={6: {"feature": 7}}), run(cfg)
    assert [s.step for s in snaps if s.arrays] == [1, 5, 7, 10]
    assert [s.step for s in kept if s.arrays] == [1, 5, 10]
    by_step, kept_by_step = {s.step: s.arrays for s in snaps}, {s.step: s.arrays for s in kept}
    assert set(by_step[1]) == {"filters", "feature_maps", "top9", "saliency", "class_probs", "true_class", "maximised"}
    assert not np.array_equal(by_step[10]["top9"], kept_by_step[10]["top9"], equal_nan=True)  # the new feature's top 9
    assert [s.scalars for s in snaps[:6]] == [s.scalars for s in kept[:6]]
    for img in by_step[7].values():  # NaN only in the gaps between tiles
        assert img.dtype == np.float32 and 0.0 <= np.nanmin(img) and np.nanmax(img) <= 1.0


def test_gap_head_adds_the_class_activation_map_panel_and_bars_name_the_classes():
    def lens(**values):
        return run(Config(**{**SMALL, "steps": 1, "lens_every": 1, **values}))[0].arrays

    plain, gap = lens(), lens(head="gap", depth=1, layer=1)
    panels = [np.isnan(row[0, :, 0]).sum() // 2 + 1 for row in (plain["saliency"], gap["saliency"])]
    assert panels == [3, 4]  # image, guided backprop, Grad-CAM, and CAM with a GAP head
    cam = gap["saliency"][:, -16:]  # the last 16x16 panel
    assert cam.mean() > 0.1
    assert plain["class_probs"].shape == (10,) and abs(plain["class_probs"].sum() - 1) < 1e-5
    assert plain["true_class"].sum() == 1.0 and plain["true_class"].shape == (10,)


def test_trains_on_the_users_labelled_npz(tmp_path):
    rng = np.random.default_rng(0)
    y = np.arange(40) % 2
    x = rng.integers(0, 60, (40, 12, 12)).astype(np.uint8)
    x[y == 1, :, 6:] = 255  # class 1: right half lit
    np.savez(tmp_path / "halves.npz", x=x, y=y)
    snaps = run(
        Config(
            data=str(tmp_path / "halves.npz"),
            size=12,
            depth=1,
            layer=1,
            steps=40,
            batch_size=16,
            eval_every=40,
            lens_every=40,
            probe=9,
            dream_steps=2,
        )
    )
    assert snaps[-1].scalars["test_accuracy"] == 1.0
    np.savez(tmp_path / "unlabelled.npz", x=x)
    with pytest.raises(ValueError, match="has images without a class"):
        run(Config(data=str(tmp_path / "unlabelled.npz"), size=12, steps=1))


@pytest.mark.parametrize(
    "values,message",
    [
        ({"layer": 3}, "layer=3 is deeper than the network \\(depth=2\\)"),
        ({"layer": 1, "feature": 40}, "feature=40 is not among conv layer 1's 32 features"),
        ({"data": "mnist"}, "data='mnist' is neither a built-in set"),
        ({"head": "avg"}, "head='avg' is not one of: fc, gap"),
    ],
)
def test_bad_settings_are_named(values, message):
    with pytest.raises(ValueError, match=message):
        Config(**values)
