"""TensorBoard export and the live TensorBoard sink, read back with TensorBoard's own reader."""

from __future__ import annotations

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from workbench.core.cli import main
from workbench.core.export import as_image, export_tensorboard
from workbench.core.sinks import read_metrics


def read_events(log_dir) -> EventAccumulator:
    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def assert_scalars_match(events: EventAccumulator, metrics: dict, with_wall_time: bool) -> None:
    keys = [k for k in metrics if k not in ("step", "wall_time")]
    assert sorted(events.Tags()["scalars"]) == sorted(keys)
    for key in keys:
        logged = ~np.isnan(metrics[key])
        got = events.Scalars(key)
        assert [e.step for e in got] == metrics["step"][logged].astype(int).tolist()
        # event files hold float32 values: exactly the CSV's values at that precision
        np.testing.assert_array_equal([e.value for e in got], metrics[key][logged].astype(np.float32))
        if with_wall_time:
            np.testing.assert_array_equal([e.wall_time for e in got], metrics["wall_time"][logged])


@pytest.fixture(scope="module")
def run_with_live_events(tmp_path_factory):
    base = tmp_path_factory.mktemp("tb")
    out, live = base / "run", base / "live"
    assert (
        main(["run", "td-control", "--quiet", "--set", "episodes=15", "--out", str(out), "--tensorboard", str(live)])
        == 0
    )
    return out, live


def test_export_writes_every_scalar_at_its_step_and_wall_time_and_the_saved_maps(run_with_live_events, tmp_path):
    out, _ = run_with_live_events
    assert main(["export", str(out), "--tensorboard", str(tmp_path / "tb")]) == 0
    events = read_events(tmp_path / "tb")
    assert_scalars_match(events, read_metrics(out / "metrics.csv"), with_wall_time=True)
    q_values = np.load(out / "q_values.npy")
    assert q_values.ndim == 2 and events.Tags()["images"] == ["q_values"]  # visits.npy is 1-D: no image
    image = events.Images("q_values")[0]
    assert (image.step, image.height, image.width) == (15, *q_values.shape)


def test_live_events_hold_the_same_scalars_as_metrics_csv(run_with_live_events):
    out, live = run_with_live_events
    metrics = read_metrics(out / "metrics.csv")
    events = read_events(live)
    assert_scalars_match(events, metrics, with_wall_time=False)
    walls = [e.wall_time for e in events.Scalars("episode_return")]
    assert np.all(np.abs(np.array(walls) - metrics["wall_time"]) < 5)


def test_a_run_without_wall_time_and_with_an_rgb_array_exports(tmp_path):
    run = tmp_path / "old"
    run.mkdir()
    (run / "metrics.csv").write_text("step,loss\r\n1,0.5\r\n2,\r\n3,0.25\r\n4,0.1")  # a gap and a cut-short row
    rgb = np.zeros((6, 4, 3), dtype=np.uint8)
    rgb[..., 0] = 255
    np.save(run / "frame.npy", rgb)
    np.save(run / "stack.npy", np.zeros((2, 3, 4)))
    counts = export_tensorboard(run, tmp_path / "tb")
    assert counts == {"scalars": 2, "images": 1}
    events = read_events(tmp_path / "tb")
    assert [(e.step, e.value) for e in events.Scalars("loss")] == [(1, 0.5), (3, 0.25)]
    assert [(i.step, i.height, i.width) for i in events.Images("frame")] == [(3, 6, 4)]


def test_images_are_scaled_to_0_1_in_their_layout():
    scaled, layout = as_image(np.array([[2.0, 4.0], [np.nan, 6.0]]))
    assert layout == "HW"
    np.testing.assert_allclose(scaled, [[1 / 3, 2 / 3], [0.0, 1.0]], rtol=1e-6)
    assert as_image(np.full((3, 3, 3), 255, np.uint8))[1] == "HWC"
    assert as_image(np.zeros(5)) is None and as_image(np.zeros((2, 2, 4))) is None
