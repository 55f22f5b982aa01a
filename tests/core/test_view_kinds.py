"""View options are checked where the manifest is read, and the docs' table is the schema's."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.dist_info import FIXTURES, write_dist_info

from workbench.core import view_kinds
from workbench.core.manifest import discover, parse_manifest
from workbench.core.view_kinds import BUILTIN_KINDS, DOCS_COMMAND, registry

DOCS = Path(__file__).parents[2] / "docs" / "PLUGINS.md"
HEAD = 'id = "demo"\ntitle = "Demo"\ncategory = "Test"\nconfig = ".config:Config"\ntrainer = ".trainer:train"\n'


def views(*tables: str) -> str:
    return HEAD + "".join(f"\n[[views]]\n{t}\n" for t in tables)


def test_a_typo_names_the_file_the_view_and_the_option_with_a_suggestion():
    text = views('kind = "curve"\nkeys = ["loss"]', 'kind = "curve"\nkeys = ["ret"]\ntitle = "Return"\nmena = 50')
    with pytest.raises(ValueError) as err:
        parse_manifest(text, "pkg.demo", "plugins/demo/plugin.toml")
    assert str(err.value).startswith("plugins/demo/plugin.toml: views[1] ('Return'): unknown option 'mena'")
    assert "did you mean 'mean'?" in str(err.value)


def test_an_unknown_kind_is_named_with_the_closest_kind():
    with pytest.raises(
        ValueError,
        match=r"plugin.toml of pkg.demo: views\[0\] \(''\): unknown view kind 'curv' "
        r"\(did you mean 'curve'\?\)",
    ):
        parse_manifest(views('kind = "curv"\nkeys = ["loss"]'), "pkg.demo")


@pytest.mark.parametrize(
    "table, message",
    [
        ('kind = "curve"\nkeys = ["loss"]\nmean = "50"', "option 'mean' must be int, got '50'"),
        ('kind = "curve"\nkeys = ["loss"]\nlogy = 1', "option 'logy' must be bool, got 1"),
        ('kind = "histogram"\nkeys = ["x"]\nbins = true', "option 'bins' must be int, got True"),
        ('kind = "image"\nkeys = ["x"]\nlevels = [0]', r"option 'levels' must be \[float, float\], got \[0\]"),
        ('kind = "bars"\nkeys = ["x"]\nlabels = [1, 2]', r"option 'labels' must be \[str, ...\], got \[1, 2\]"),
        ('kind = "heatmap"\nkeys = ["x"]\nclick = ["cx", "cy"]', "option 'click' must be str"),
        ('kind = "image"\nkeys = ["a", "b"]', "kind 'image' takes 1 keys, got 2"),
        ('kind = "curve"\nkeys = []', "kind 'curve' takes 1 or more keys, got 0"),
        ('kind = "curve"\nkeys = "loss"', "'keys' must be a list of names, got 'loss'"),
    ],
)
def test_wrong_types_and_key_counts_are_refused(table, message):
    with pytest.raises(ValueError, match=message):
        parse_manifest(views(table), "pkg.demo")


def test_options_are_filled_with_their_defaults():
    m = parse_manifest(views('kind = "histogram"\nkeys = ["x"]\nmean = true', 'kind = "image"\nkeys = ["y"]'), "p")
    shared = {"optional": False, "waiting": "", "when": ""}
    assert m.views[0].options == {**shared, "x_label": "", "y_label": "count", "bins": 30, "mean": True}
    assert m.views[1].options == {**shared, "levels": None, "columns_key": "", "columns_label": ""}
    assert m.views[1].title == ""


def test_a_when_condition_is_checked_where_the_manifest_is_read():
    with pytest.raises(ValueError, match="condition 'runs >> 1': '> 1' is no number"):
        parse_manifest(views('kind = "curve"\nkeys = ["x"]\nwhen = "runs >> 1"'), "p")


def test_all_builtin_manifests_validate():
    bad = {m.id: m.error for m in discover() if m.broken}
    assert not bad


def test_the_docs_table_is_generated_from_the_schemas():
    text = DOCS.read_text(encoding="utf-8")
    assert view_kinds.with_docs_table(text) == text, f"docs/PLUGINS.md's view table is stale: run `{DOCS_COMMAND}`"
    for kind in BUILTIN_KINDS.values():
        assert all(f"| `{name}` |" in text for name in kind.options), kind.name


def test_a_package_adds_a_kind_through_an_entry_point(tmp_path, monkeypatch):
    write_dist_info(
        tmp_path,
        "viewkind_pkg",
        {
            "workbench.views": {
                "sparkline": "viewkind_pkg.kinds:SPARKLINE",
                "broken": "viewkind_pkg.no_such_module:KIND",
            }
        },
    )
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.syspath_prepend(str(tmp_path))
    kinds, failed = registry()
    assert kinds["sparkline"].widget == "viewkind_pkg.widgets:SparklineView"
    assert "ModuleNotFoundError" in failed["broken"]
    m = parse_manifest(views('kind = "sparkline"\nkeys = ["loss"]'), "p")
    assert m.views[0].options == {"optional": False, "waiting": "", "when": "", "last": 50}
    with pytest.raises(ValueError, match="view kind 'broken' did not load: entry point 'viewkind_pkg.no_such_module"):
        parse_manifest(views('kind = "broken"\nkeys = ["loss"]'), "p")
