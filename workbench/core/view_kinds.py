"""The view kinds a plugin.toml may ask for, each with its checked options; Qt-free.

A kind is data: how many keys it reads, its options (type, default, help) and a lazy
``"module:Class"`` reference to the Qt widget that draws it. The shell registers its own
widgets for the built-in kinds; a package adds a kind with an entry point in the
``workbench.views`` group whose value names a ``ViewKind`` (``"pkg.kinds:SPARKLINE"``).
Reading and checking kinds imports no Qt; the panel imports a third-party widget when it
builds the view.

Run ``python -m workbench.core.view_kinds --write-docs docs/PLUGINS.md`` to regenerate the
table of kinds in the docs.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import importlib.metadata
import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from workbench.core.view_when import parse_condition

ENTRY_POINT_GROUP = "workbench.views"
DOCS_START, DOCS_END = "<!-- view-kinds:start -->", "<!-- view-kinds:end -->"
DOCS_COMMAND = "python -m workbench.core.view_kinds --write-docs docs/PLUGINS.md"


@dataclass(frozen=True)
class Option:
    """One option of a view: ``type`` is a Python type, ``list[X]`` or ``tuple[X, Y]`` (TOML arrays)."""

    type: Any
    default: Any
    help: str


@dataclass(frozen=True)
class ViewKind:
    """A view kind: ``keys`` is the (min, max) number of keys, max None for any number;
    ``widget`` is the ``"module:Class"`` drawing it (empty for the shell's own kinds)."""

    name: str
    help: str
    keys: tuple[int, int | None]
    options: Mapping[str, Option] = field(default_factory=dict)
    widget: str = ""


COMMON_OPTIONS = {
    "title": Option(str, "", "shown above the view; default: its keys"),
    "optional": Option(bool, False, "its keys come only in some configs: the view shows once they arrive"),
    "waiting": Option(
        str,
        "",
        "said in the middle of the view until its data arrives, with config fields in braces "
        'filled in ("first samples at step {sample_every}"); default: "waiting for data"',
    ),
    "when": Option(
        str,
        "",
        "the view shows only in runs whose config satisfies this: `field op literal` "
        'joined by `and`, op one of == != < <= > >= (`runs > 1 and env == "CartPole-v1"`)',
    ),
}


def axes(x: str = "", y: str = "") -> dict[str, Option]:
    """The axis-label options of a plotted kind, with that kind's defaults."""
    return {
        "x_label": Option(str, x, 'what the x axis counts, with its unit ("episode", "env step")'),
        "y_label": Option(str, y, 'what the y axis shows, with its unit ("return", "loss (nats)")'),
    }


BUILTIN_KINDS: dict[str, ViewKind] = {
    k.name: k
    for k in (
        ViewKind(
            "curve",
            "scalar names, drawn against `step`",
            (1, None),
            {
                **axes("env step"),
                "mean": Option(int, 0, "running-mean window drawn over the raw values; 0 draws none"),
                "prefix": Option(
                    bool, False, "also draw every scalar named `key/...` (`avg_reward/eps=0.1`), so comparisons overlay"
                ),
                "logy": Option(bool, False, "log-scale y axis"),
                "labels": Option(
                    dict[str, str],
                    {},
                    'legend names by key or variant (`{ loss = "training" }`); '
                    "default: `eps=0.1` reads `ε = 0.1`, `test_loss` reads `test loss`",
                ),
            },
        ),
        ViewKind(
            "image",
            "(H, W) gray or (H, W, 3) RGB",
            (1, 1),
            {
                "levels": Option(
                    tuple[float, float], None, "fixed `[lo, hi]`; default [0, 1] for floats, [0, 255] for uint8"
                ),
                "columns_key": Option(
                    str,
                    "",
                    "key of an (n,) array of numbers written on an axis over the "
                    "image's n equal columns (a strip's timesteps)",
                ),
                "columns_label": Option(str, "", "the label of that axis"),
            },
        ),
        ViewKind(
            "heatmap",
            "an (H, W) array; NaN cells (walls, cliffs, terminals) are drawn as a grey mask",
            (1, 1),
            {
                **axes("column", "row"),
                "arrows": Option(str, "", "key of an (H, W, 2) array of on-screen dx, dy drawn as arrows; zero = none"),
                "numbers": Option(bool, False, "values written in the cells' corners (up to 400 cells)"),
                "symmetric": Option(bool, False, "colour levels centred on 0"),
                "colormap": Option(str, "viridis", "pyqtgraph colour map name"),
                "colorbar_label": Option(str, "", "what the colours mean, with its unit, beside the colour bar"),
                "extent": Option(
                    tuple[float, float, float, float],
                    None,
                    "`[x0, x1, y0, y1]`: the data coordinates "
                    "of the first and last column's outer edges and of the first and last row's; "
                    "default: cell indices, row 0 at the top",
                ),
                "extent_key": Option(
                    str,
                    "",
                    "key of a 4-value array sent by the trainer in place of `extent` "
                    "(the slice depends on the environment)",
                ),
                "axis_names": Option(list[str], [], "axis labels the trainer picks from with `axes_key`"),
                "axes_key": Option(
                    str, "", "key of a 2-value integer array: the x and y labels' indices in `axis_names`"
                ),
                "labels": Option(
                    list[str],
                    [],
                    "names of the equal maps tiled in the array with a 1-cell gap "
                    "(one per action), written in each one's corner",
                ),
                "labels_key": Option(str, "", "key of an integer array picking each map's name from `labels`"),
                "columns": Option(int, 0, "maps per row of the tiling; 0: all in one row"),
                "click": Option(str, "", "name of an action the plugin declares; a click sends it the cell's (x, y)"),
            },
        ),
        ViewKind(
            "bars",
            "(A,) values; an optional second key (A,) drawn as markers, or as bars beside the first with `series`",
            (1, 2),
            {
                **axes(),
                "labels": Option(list[str], [], "names under the bars"),
                "labels_key": Option(
                    str,
                    "",
                    "key of an (A,) integer array picking each bar's name from `labels` "
                    "(the environment's actions, sent once)",
                ),
                "series": Option(list[str], [], "legend names of the keys; with two, both keys are drawn as bars"),
            },
        ),
        ViewKind(
            "histogram",
            "(N,) samples",
            (1, 1),
            {
                **axes("", "count"),
                "bins": Option(int, 30, "number of bins"),
                "mean": Option(bool, False, "a line at the mean, named in the title"),
            },
        ),
        ViewKind(
            "scatter",
            "(N, 2) points; an optional second key (N,) of integer labels colours them",
            (1, 2),
            {
                **axes(),
                "classes": Option(list[str], [], "legend names of the integer labels 0, 1, 2..."),
                "click": Option(str, "", "name of an action the plugin declares; a click sends it the point's (x, y)"),
            },
        ),
    )
}

PLOTTED_KINDS = ("curve", "heatmap", "bars", "histogram", "scatter")
"""The kinds drawn on axes: each needs both axis labels."""


Registry = tuple[dict[str, ViewKind], dict[str, str]]
"""Known kinds by name, and why each failed entry point (by its name) did not load."""


def registry() -> Registry:
    """The built-in kinds plus those of installed packages, and why any entry point failed
    (by its name), so a manifest using that kind can say so."""
    kinds, failed = dict(BUILTIN_KINDS), {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            kind = ep.load()
        except Exception as exc:  # noqa: BLE001 - a bad package must not hide the other kinds
            failed[ep.name] = f"entry point {ep.value!r} failed: {type(exc).__name__}: {exc}"
            continue
        if not isinstance(kind, ViewKind):
            failed[ep.name] = f"entry point {ep.value!r} is a {type(kind).__name__}, not a ViewKind"
        elif not kind.widget:
            failed[ep.name] = f"entry point {ep.value!r} names no widget for {kind.name!r}"
        elif kind.name in BUILTIN_KINDS:
            failed[ep.name] = f"entry point {ep.value!r} redefines the built-in kind {kind.name!r}"
        else:
            kinds[kind.name] = kind
    return kinds, failed


def type_name(tp: Any) -> str:
    """How a type reads in TOML terms: ``int``, ``[str, ...]``, ``[float, float]``."""
    args = get_args(tp)
    if get_origin(tp) is dict:
        return f"{{{type_name(args[0])} = {type_name(args[1])}, ...}}"
    if get_origin(tp) is list:
        return f"[{type_name(args[0])}, ...]"
    if get_origin(tp) is tuple:
        return "[" + ", ".join(type_name(a) for a in args) + "]"
    return str(tp.__name__)


def matches(value: Any, tp: Any) -> bool:
    """Whether a TOML value has type ``tp``; an int is a float, a bool is no number."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is list:
        return isinstance(value, list) and all(matches(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(matches(k, args[0]) and matches(v, args[1]) for k, v in value.items())
    if origin is tuple:
        return isinstance(value, list) and len(value) == len(args) and all(map(matches, value, args))
    if tp in (int, float) and isinstance(value, bool):
        return False
    return isinstance(value, (int, float) if tp is float else tp)


def _keys_range(kind: ViewKind) -> str:
    lo, hi = kind.keys
    return f"{lo} or more" if hi is None else str(lo) if lo == hi else f"{lo} to {hi}"


def check_view(
    table: dict[str, Any], kinds: Mapping[str, ViewKind], failed: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A ``[[views]]`` table checked against its kind, with the defaults of the options it omits.

    Raises:
        ValueError: naming the unknown kind or option (with the closest known name), the
            option of the wrong type, or the wrong number of keys.
    """
    name = str(table.get("kind"))
    if name not in kinds:
        why = (failed or {}).get(name)
        if why:
            raise ValueError(f"view kind {name!r} did not load: {why}")
        raise ValueError(f"unknown view kind {name!r}{_suggestion(name, kinds)}; known kinds: {', '.join(kinds)}")
    kind = kinds[name]
    keys = table.get("keys")
    if not isinstance(keys, list) or not matches(keys, list[str]):
        raise ValueError(f"'keys' must be a list of names, got {keys!r}")
    lo, hi = kind.keys
    if len(keys) < lo or (hi is not None and len(keys) > hi):
        raise ValueError(f"kind {name!r} takes {_keys_range(kind)} keys, got {len(keys)}: {keys}")
    schema = {**COMMON_OPTIONS, **kind.options}
    for option, value in table.items():
        if option in ("kind", "keys"):
            continue
        if option not in schema:
            raise ValueError(
                f"unknown option {option!r} for kind {name!r}{_suggestion(option, schema)}; "
                f"its options: {', '.join(schema)}"
            )
        if not matches(value, schema[option].type):
            raise ValueError(f"option {option!r} must be {type_name(schema[option].type)}, got {value!r}")
    if table.get("when"):
        parse_condition(table["when"])
    return {option: copy.deepcopy(spec.default) for option, spec in schema.items()} | table


def waiting_fields(text: str) -> list[str]:
    """The config fields a ``waiting`` line names in braces (``{sample_every}``)."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def waiting_line(text: str, config: Mapping[str, Any]) -> str:
    """``text`` with the fields it names replaced by their values in ``config``."""
    return text.format_map(config)


def _suggestion(word: Any, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(str(word), list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def docs_table(kinds: Mapping[str, ViewKind] = BUILTIN_KINDS) -> str:
    """The markdown table of kinds and options that docs/PLUGINS.md holds between its markers."""
    rows = ["| kind | keys | option | type | default | meaning |", "|---|---|---|---|---|---|"]
    sections = [(f"`{k.name}`", f"{_keys_range(k)}: {k.help}", k.options) for k in kinds.values()]
    for first, keys, options in [*sections, ("any kind", "", COMMON_OPTIONS)]:
        cells = [_option_cells(name, option) for name, option in options.items()] or ["| | | | |"]
        rows += [f"| {first} | {keys} {cells[0]}", *(f"| | {cell}" for cell in cells[1:])]
    return "\n".join(rows) + "\n"


def _option_cells(name: str, option: Option) -> str:
    default = "" if option.default is None else f"`{_toml(option.default)}`"
    return f"| `{name}` | {type_name(option.type)} | {default} | {option.help} |"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def with_docs_table(text: str) -> str:
    """``text`` with the part between the view-kinds markers replaced by a fresh table."""
    head, start, rest = text.partition(DOCS_START)
    _, end, tail = rest.partition(DOCS_END)
    if not start or not end:
        raise ValueError(f"no {DOCS_START} ... {DOCS_END} markers to put the view table between")
    return f"{head}{DOCS_START}\n{docs_table()}{DOCS_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.core.view_kinds", description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", type=Path, metavar="MD", help="refresh the view table in this markdown file")
    args = parser.parse_args(argv)
    if args.write_docs is None:
        sys.stdout.write(docs_table())
        return 0
    text = args.write_docs.read_text(encoding="utf-8")
    args.write_docs.write_text(with_docs_table(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
