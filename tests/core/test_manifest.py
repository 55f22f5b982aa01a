"""Manifests are read without importing plugins; broken ones are reported, not fatal."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fixtures.dist_info import write_dist_info

from workbench.core.cli import main
from workbench.core.manifest import Manifest, ViewSpec, find, parse_manifest, with_import_errors
from workbench.core.runs import lower_is_better

TOML = """
id = "demo"
title = "Demo"
category = "Test"
description = "a demo"
config = ".config:Config"
trainer = ".trainer:train"
record = "frame"

[[views]]
kind = "curve"
keys = ["loss"]
mean = 10

[smoke]
steps = 3
"""


def test_parse_manifest_reads_views_and_smoke():
    m = parse_manifest(TOML, "pkg.demo")
    assert (m.id, m.category, m.record, m.smoke) == ("demo", "Test", "frame", {"steps": 3})
    assert m.views[0].kind == "curve" and m.views[0].keys == ("loss",) and m.views[0].options["mean"] == 10


def test_the_plugins_metric_is_one_its_curves_plot_and_episode_return_unless_it_says():
    assert parse_manifest(TOML, "pkg.demo").metric == "episode_return"
    assert parse_manifest('metric = "loss"\n' + TOML, "pkg.demo").metric == "loss"
    with pytest.raises(ValueError, match="metric 'los' is none its curve views plot"):
        parse_manifest('metric = "los"\n' + TOML, "pkg.demo")
    # every lab's own is one it logs under that name, and more or less of it is better as named
    assert {m.id: m.metric for m in (find(i) for i in ("sequence", "gan", "cnn-lens"))} == {
        "sequence": "heldout_bpc",
        "gan": "sample_score",
        "cnn-lens": "test_accuracy",
    }
    assert lower_is_better("heldout_bpc") and lower_is_better("gap/adam") and not lower_is_better("sample_score")


def test_missing_keys_are_named():
    with pytest.raises(ValueError, match="lacks 'trainer'"):
        parse_manifest('id="x"\ntitle="x"\ncategory="x"\nconfig="a:b"', "pkg.x")


def test_a_plugin_that_fails_to_import_is_marked_broken():
    bad = Manifest("bad", "Bad", "Test", "", "no_such_package_anywhere", config=".config:Config", trainer=".t:train")
    good = find("td-control")
    marked = {m.id: m for m in with_import_errors([bad, good])}
    assert marked["bad"].broken and "ModuleNotFoundError" in marked["bad"].error
    assert not marked["td-control"].broken


def test_a_plugin_with_a_bad_view_is_listed_broken_with_the_file_view_and_option(tmp_path, monkeypatch, capsys):
    package = tmp_path / "typo_plugin"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "plugin.toml").write_text(TOML.replace('id = "demo"', 'id = "typo"').replace("mean = 10", "mena = 10"))
    write_dist_info(tmp_path, "typo_plugin", {"workbench.plugins": {"typo": "typo_plugin"}})
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["list", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    error = rows["typo_plugin"]["error"]
    assert rows["typo_plugin"]["broken"] and str(package / "plugin.toml") in error
    assert "views[0] ('')" in error and "unknown option 'mena'" in error and "did you mean 'mean'?" in error
    assert not rows["td-control"]["broken"]


@pytest.mark.parametrize(
    "view, message",
    [
        (
            ViewSpec("scatter", ("xy",), "Plane", {"click": "paint_it"}),
            "click names no action 'paint_it'; the plugin's actions: bump",
        ),
        (ViewSpec("scatter", ("xy",), "Plane", {"click": "bump"}), "click action 'bump' takes no point (x, y)"),
        (
            ViewSpec("image", ("x",), "Samples", {"waiting": "first samples at step {sample_every}"}),
            "waiting names no config field 'sample_every'",
        ),
        (ViewSpec("image", ("x",), "Samples", {"waiting": "first samples at step {"}), "Single '{' encountered"),
    ],
    ids=["click-no-action", "click-no-point", "waiting-no-field", "waiting-bad-brace"],
)
def test_a_views_click_and_waiting_line_name_only_what_the_plugin_declares(view, message):
    """A click names an action that takes a point; a waiting line names config fields only."""
    from faulty import MANIFEST

    (marked,) = with_import_errors([dataclasses.replace(MANIFEST, views=(view,))])
    assert marked.broken and message in marked.error
