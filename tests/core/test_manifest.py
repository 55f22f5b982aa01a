"""Manifests are read without importing plugins; broken ones are reported, not fatal."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fixtures.dist_info import write_dist_info

from workbench.core.cli import main
from workbench.core.manifest import Manifest, ViewSpec, find, parse_manifest, with_import_errors

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
    "click, message",
    [
        ("paint_it", "click names no action 'paint_it'; the plugin's actions: bump"),
        ("bump", "click action 'bump' takes no point (x, y)"),
    ],
)
def test_a_click_must_name_an_action_that_takes_a_point(click, message):
    from faulty import MANIFEST

    clicking = dataclasses.replace(MANIFEST, views=(ViewSpec("scatter", ("xy",), "Plane", {"click": click}),))
    (marked,) = with_import_errors([clicking])
    assert marked.broken and message in marked.error


@pytest.mark.parametrize(
    "waiting, message",
    [
        ("first samples at step {sample_every}", "waiting names no config field 'sample_every'"),
        ("first samples at step {", "Single '{' encountered"),
    ],
)
def test_a_waiting_line_may_name_only_config_fields(waiting, message):
    from faulty import MANIFEST

    waiting_view = dataclasses.replace(MANIFEST, views=(ViewSpec("image", ("x",), "Samples", {"waiting": waiting}),))
    (marked,) = with_import_errors([waiting_view])
    assert marked.broken and message in marked.error
