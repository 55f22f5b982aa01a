"""A run's metrics.csv read as it grows: only whole rows, only the bytes added since the last
read, and from the start again when the file is replaced (a resume cuts it back)."""

from __future__ import annotations

import os

import numpy as np

from workbench.core.metrics_tail import MetricsTail


def test_rows_are_read_as_they_are_appended_and_a_replaced_file_is_read_again(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_bytes(b"step,wall_time,loss\r\n1,10.0,0.5\r\n2,11.0,\r\n")
    tail = MetricsTail(tmp_path)
    assert tail.read()
    np.testing.assert_array_equal(tail.column("step"), [1, 2])
    np.testing.assert_array_equal(tail.column("loss"), [0.5, np.nan])
    assert not tail.read()  # nothing new

    with path.open("ab") as f:
        f.write(b"3,12.0,0.2")  # a row still being written
    assert not tail.read() and len(tail.column("step")) == 2
    with path.open("ab") as f:
        f.write(b"5\r\n4,13.0,0.1\r\n")
    assert tail.read()
    np.testing.assert_array_equal(tail.column("loss")[2:], [0.25, 0.1])

    # rows already read are not read again: a change to them in place goes unseen
    path.write_bytes(path.read_bytes().replace(b"1,10.0,0.5", b"1,10.0,0.9"))
    with path.open("ab") as f:
        f.write(b"5,14.0,0.05\r\n")
    assert tail.read()
    np.testing.assert_array_equal(tail.column("loss")[[0, -1]], [0.5, 0.05])

    # a resume cuts the file back (written beside it and renamed over it): read from the start
    tmp = tmp_path / "metrics.csv.tmp"
    tmp.write_bytes(b"step,wall_time,loss,epsilon\r\n1,10.0,0.9,0.3\r\n")
    os.replace(tmp, path)
    assert tail.read()
    np.testing.assert_array_equal(tail.column("loss"), [0.9])
    np.testing.assert_array_equal(tail.column("epsilon"), [0.3])
    assert len(tail.column("no such column")) == 0


def test_a_run_without_metrics_yet_has_empty_columns(tmp_path):
    tail = MetricsTail(tmp_path / "not yet")
    assert not tail.read()
    assert len(tail.column("step")) == 0
