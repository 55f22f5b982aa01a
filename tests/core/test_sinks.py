"""Sinks keep every scalar, the newest array, and a metrics.csv that survives new columns."""

from __future__ import annotations

import threading
import time

import numpy as np

from workbench.core.sinks import CsvSink, HistorySink, LatestSink, read_metrics
from workbench.core.snapshot import Snapshot


def test_history_keeps_every_scalar_across_growth():
    sink = HistorySink()
    for i in range(1000):
        sink.write(Snapshot(i, scalars={"loss": float(i) * 2}))
    steps, values = sink.read("loss")
    np.testing.assert_array_equal(steps, np.arange(1000))
    np.testing.assert_array_equal(values, np.arange(1000) * 2.0)
    assert sink.read("missing")[0].size == 0


def test_history_is_safe_with_a_concurrent_writer():
    sink = HistorySink()

    def writer():
        for i in range(20000):
            sink.write(Snapshot(i, scalars={"x": float(i)}))

    t = threading.Thread(target=writer)
    t.start()
    while t.is_alive():
        steps, values = sink.read("x")
        assert len(steps) == len(values)
        np.testing.assert_array_equal(steps, values)
    t.join()
    assert sink.count("x") == 20000


def test_latest_wins_and_versions_grow():
    sink = LatestSink()
    sink.write(Snapshot(1, arrays={"img": np.zeros(2)}))
    v1, _ = sink.read("img")
    sink.write(Snapshot(2, arrays={"img": np.ones(2)}))
    v2, arr = sink.read("img")
    assert v2 > v1 and arr[0] == 1.0
    assert sink.read("other") == (0, None)


def test_csv_adds_columns_and_appends_on_resume(tmp_path):
    path = tmp_path / "metrics.csv"
    sink = CsvSink(path)
    sink.write(Snapshot(1, scalars={"a": 1.0}))
    sink.write(Snapshot(2, scalars={"a": 2.0, "b": 5.0}))
    sink.close()
    again = CsvSink(path)
    again.write(Snapshot(3, scalars={"b": 6.0}))
    again.close()
    cols = read_metrics(path)
    np.testing.assert_array_equal(cols["step"], [1, 2, 3])
    np.testing.assert_array_equal(cols["a"][:2], [1.0, 2.0])
    assert np.isnan(cols["a"][2]) and np.isnan(cols["b"][0])
    assert path.read_text().splitlines()[0] == "step,wall_time,a,b"
    assert np.all(np.diff(cols["wall_time"]) >= 0) and abs(cols["wall_time"][-1] - time.time()) < 60


def test_a_long_curve_is_thinned_evenly_and_its_memory_stays_bounded():
    history = HistorySink(curve_points=1000)
    for i in range(100_000):
        history.write(Snapshot(i, scalars={"loss": float(i)}))
    steps, values = history.read("loss")
    assert 500 <= len(steps) <= 1000
    gaps = np.diff(steps)
    assert gaps.min() == gaps.max()  # evenly spaced: one kept in every `stride`
    assert steps[0] < 200 and steps[-1] > 99_800  # the whole run is still drawn, start to end
    assert np.array_equal(steps, values)
    generation, n = history.version("loss")
    assert generation > 0 and n == len(steps)


def test_last_is_the_newest_value_held():
    history = HistorySink()
    assert history.last("loss") is None
    for i in range(5):
        history.write(Snapshot(i, scalars={"loss": float(i) / 2}))
    assert history.last("loss") == 2.0 == history.read("loss")[1][-1]
