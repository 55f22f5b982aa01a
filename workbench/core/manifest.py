"""Plugin manifests: each plugin folder holds a ``plugin.toml``; listing plugins imports no plugin code.

Built-in plugins live in the ``workbench_plugins`` package (the repo's ``plugins/`` folder).
Third-party packages register with an entry point in the ``workbench.plugins`` group whose value
is the name of a package holding a ``plugin.toml``.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import importlib.resources
import tomllib
from dataclasses import dataclass, field
from typing import Any

from workbench.core.view_kinds import Registry, check_view, registry, waiting_fields

BUILTIN_PACKAGE = "workbench_plugins"
ENTRY_POINT_GROUP = "workbench.plugins"


@dataclass(frozen=True)
class ViewSpec:
    """One view of a panel: ``kind`` picks the widget; ``keys`` name the scalars or arrays it shows.

    The kinds and their options are declared in ``workbench.core.view_kinds`` (the table in
    docs/PLUGINS.md is generated from it). A view read from a plugin.toml has been checked
    against its kind, and ``options`` holds every option of the kind, defaults filled in.
    """

    kind: str
    keys: tuple[str, ...]
    title: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def draws(self, metric: str) -> bool:
        """Whether it is a curve view drawing ``metric``: one of its keys, or a variant
        (``episode_return/sarsa``) of one where it compares (``prefix``)."""
        if self.kind != "curve":
            return False
        return metric in self.keys or (bool(self.options.get("prefix")) and metric.partition("/")[0] in self.keys)


def curve_keys(views: tuple[ViewSpec, ...]) -> list[str]:
    """The keys the curve views among ``views`` plot, in their order, once each."""
    return list(dict.fromkeys(k for v in views if v.kind == "curve" for k in v.keys))


@dataclass(frozen=True)
class Manifest:
    """What the shell and the CLI know about a plugin before importing it."""

    id: str
    title: str
    category: str
    description: str
    package: str
    config: str = ""
    trainer: str = ""
    record: str = ""
    replay: str = ""  # "module:function" turning a stored episode into a Review (workbench.data.episodes)
    views: tuple[ViewSpec, ...] = ()
    smoke: dict[str, Any] = field(default_factory=dict)
    metric: str = "episode_return"
    """What tells a better run of it from a worse: a sweep's default ranking (and ASHA's), one
    of the metrics its panel plots; more is better unless its name says otherwise."""
    error: str = ""

    @property
    def broken(self) -> bool:
        return bool(self.error)

    def load(self, ref: str) -> Any:
        """Import ``module:attr``; a module path starting with ``.`` is relative to the plugin."""
        module, _, attr = ref.partition(":")
        if module.startswith("."):
            module = self.package + module
        return getattr(importlib.import_module(module), attr)

    def config_class(self) -> type:
        cls: type = self.load(self.config)
        return cls

    @property
    def plotted_metrics(self) -> list[str]:
        """The metrics its panel plots as curves, in the views' order."""
        return curve_keys(self.views)

    def plots(self, metric: str) -> bool:
        """Whether a curve view of its panel draws ``metric`` (``ViewSpec.draws``)."""
        return any(v.draws(metric) for v in self.views)

    def trainer_function(self) -> Any:
        return self.load(self.trainer)


def parse_manifest(text: str, package: str, source: str = "", kinds: Registry | None = None) -> Manifest:
    """Build a Manifest from ``plugin.toml`` text, its views checked against ``kinds`` (from
    ``view_kinds.registry()`` by default).

    Raises:
        ValueError: naming the file (``source``, or the package), a missing key, or the view
            (index and title) and the option that is wrong.
    """
    source = source or f"plugin.toml of {package}"
    data = tomllib.loads(text)
    for key in ("id", "title", "category", "config", "trainer"):
        if key not in data:
            raise ValueError(f"{source} lacks {key!r}")
    known, failed = registry() if kinds is None else kinds
    tables = data.get("views", [])
    if not all(isinstance(t, dict) for t in tables):
        raise ValueError(f"{source}: each view must be a [[views]] table")
    views = []
    for i, table in enumerate(tables):
        try:
            v = check_view(table, known, failed)
        except ValueError as exc:
            raise ValueError(f"{source}: views[{i}] ({table.get('title', '')!r}): {exc}") from None
        views.append(ViewSpec(kind=v.pop("kind"), keys=tuple(v.pop("keys")), title=v.pop("title"), options=v))
    manifest = Manifest(
        id=data["id"],
        title=data["title"],
        category=data["category"],
        description=data.get("description", ""),
        package=package,
        config=data["config"],
        trainer=data["trainer"],
        record=data.get("record", ""),
        replay=data.get("replay", ""),
        views=tuple(views),
        smoke=dict(data.get("smoke", {})),
        metric=str(data.get("metric", Manifest.metric)),
    )
    if "metric" in data and not manifest.plots(manifest.metric):
        raise ValueError(f"{source}: metric {manifest.metric!r} is none its curve views plot")
    return manifest


def _read_package(package: str, kinds: Registry) -> list[Manifest]:
    """The manifest of ``package`` itself, or of each of its sub-folders with a plugin.toml."""
    root = importlib.resources.files(package)
    candidates = [(package, root / "plugin.toml")]
    candidates += [
        (f"{package}.{child.name}", child / "plugin.toml")
        for child in sorted(root.iterdir(), key=lambda c: c.name)
        if child.is_dir()
    ]
    found = []
    for name, toml in candidates:
        if not toml.is_file():
            continue
        try:
            found.append(parse_manifest(toml.read_text(encoding="utf-8"), name, str(toml), kinds))
        except (ValueError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            found.append(_broken(name, f"bad plugin.toml: {exc}"))
    return found


def _broken(package: str, error: str) -> Manifest:
    return Manifest(package, package, "Broken", "", package, error=error)


def discover() -> list[Manifest]:
    """All plugins: built-in ones, then entry-point ones. A plugin that fails shows as broken."""
    kinds = registry()
    manifests = _read_package(BUILTIN_PACKAGE, kinds)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            manifests += _read_package(ep.value, kinds)
        except Exception as exc:  # noqa: BLE001 - a bad third-party plugin must not stop the others
            manifests.append(_broken(ep.value, f"{type(exc).__name__}: {exc}"))
    return manifests


def find(plugin_id: str, manifests: list[Manifest] | None = None) -> Manifest:
    """The manifest with this id; ValueError lists the known ids otherwise."""
    manifests = discover() if manifests is None else manifests
    for m in manifests:
        if m.id == plugin_id:
            return m
    ids = ", ".join(m.id for m in manifests if not m.broken)
    raise ValueError(f"unknown plugin {plugin_id!r}; known plugins: {ids}")


def with_import_errors(manifests: list[Manifest]) -> list[Manifest]:
    """Import each plugin's config module (cheap: configs import no torch) and mark the ones
    that fail as broken, with the error, so a browser can show them without hiding the others."""
    out = []
    for m in manifests:
        if not m.broken:
            try:
                config_cls = m.config_class()
                _check_clicks(m, config_cls)
                _check_waiting(m, config_cls)
            except Exception as exc:  # noqa: BLE001 - any import failure makes the plugin broken
                m = dataclasses.replace(m, error=f"{type(exc).__name__}: {exc}")
        out.append(m)
    return out


def _check_waiting(m: Manifest, config_cls: type) -> None:
    """A view's ``waiting`` line may name only the plugin's config fields, which fill it in."""
    fields = {f.name for f in dataclasses.fields(config_cls)}
    for i, view in enumerate(m.views):
        unknown = [name for name in waiting_fields(view.options.get("waiting") or "") if name not in fields]
        if unknown:
            raise ValueError(f"views[{i}] ({view.title!r}): waiting names no config field {unknown[0]!r}")


def _check_clicks(m: Manifest, config_cls: type) -> None:
    """A view's ``click`` must name an action the plugin declares, with two arguments for the point."""
    from workbench.core.actions import actions_of

    actions = {a.name: a for a in actions_of(config_cls)}
    for i, view in enumerate(m.views):
        name = view.options.get("click")
        if not name:
            continue
        if name not in actions:
            known = ", ".join(actions) or "none"
            raise ValueError(
                f"views[{i}] ({view.title!r}): click names no action {name!r}; the plugin's actions: {known}"
            )
        if len(actions[name].payload) < 2:
            raise ValueError(f"views[{i}] ({view.title!r}): click action {name!r} takes no point (x, y)")
