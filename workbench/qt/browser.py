"""The run browser: every run the app or the CLI kept, in a sortable, filterable table with a
detail pane (settings, timeline of changes and actions, final metrics, files, GIFs playing),
and the things one does with runs: open, compare, fork, resume, tag, note, delete and undo."""

from __future__ import annotations

import datetime as _dt
import html
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.checkpoint import CHECKPOINT_NAME, checkpoint_steps
from workbench.core.manifest import ViewSpec
from workbench.core.runs import RunIndex, RunInfo, annotate, read_curves, step_text
from workbench.core.runs_cli import settings_text
from workbench.core.snapshot import Snapshot
from workbench.qt import settings
from workbench.qt.compare import CompareView
from workbench.qt.panel import PluginPanel

COLUMNS = ("Run", "Plugin", "State", "Started", "Steps", "Settings", "Tags")
GIF_HEIGHT = 120
REFRESH_MS = 3000  # a warm scan of a thousand runs takes milliseconds
REFRESH_SHARE = 0.01  # at most this share of the GUI thread (and so of a trainer's GIL) goes to refreshing
PATH_ROLE = QtCore.Qt.ItemDataRole.UserRole


def matches(info: RunInfo, terms: list[str]) -> bool:
    """True when every term matches: ``key=value`` a setting of the run, any other word its
    path, plugin, state, tags or note."""
    text = " ".join([info.rel, info.plugin or "", info.state, *info.tags, info.note]).lower()
    for term in terms:
        key, eq, want = term.partition("=")
        if not eq:
            if term.lower() not in text:
                return False
            continue
        have = info.config.get(key)
        try:
            same = float(want) == float(have)
        except (TypeError, ValueError):
            same = str(have).lower() == want.lower()
        if not same:
            return False
    return True


def show_run(panel: PluginPanel, info: RunInfo) -> None:
    """Fill a plugin's panel with a finished run, read-only: its curves with their live-change
    marks from metrics.csv, and the arrays it saved as the latest."""
    columns = read_curves(info.path)
    steps = columns.pop("step", np.empty(0))
    columns.pop("wall_time", None)
    for i, step in enumerate(steps):
        panel.history.write(Snapshot(int(step), scalars={k: float(v[i]) for k, v in columns.items() if v[i] == v[i]}))
    for change in info.changes:
        panel.history.mark(change.get("step", 0), change.get("changes", {}), change.get("previous", {}))
    last = int(steps[-1]) if len(steps) else 0
    panel.replay_dir = Path(info.path)  # what the panel's Replay… opens
    for path in sorted(Path(info.path).glob("*.npy")):
        try:
            panel.latest.write(Snapshot(last, arrays={path.stem: np.load(path, allow_pickle=False)}))
        except (OSError, ValueError):
            continue
    misfits = []
    for view in panel.views:  # a saved array need not have the live one's shape: such a view stays empty
        try:
            view.refresh()
        except ValueError:
            misfits.append(view.title)
    for widget in (
        panel.form,
        panel.actions_box,
        panel.start_button,
        panel.step_button,
        panel.reset_button,
        panel.load_button,
    ):
        widget.setEnabled(False)
    panel.status.setText(
        f"{info.path}: a kept run, read-only"
        + (f"\nits saved arrays do not fit: {', '.join(misfits)}" if misfits else "")
    )


def detail_html(info: RunInfo) -> str:
    """The detail pane: what the run was, what happened in it, how it ended, what it left."""
    e = html.escape
    when = "-" if info.started is None else _dt.datetime.fromtimestamp(info.started).strftime("%Y-%m-%d %H:%M:%S")
    parts = [
        f"<b>{e(info.rel)}</b><br>{e(info.plugin or '?')} · {e(info.state)} · started {when}"
        + (f" · ran {info.duration:.3g} s" if info.duration is not None else "")
    ]
    if info.parent:
        parts.append(f"forked from {e(str(info.parent.get('run')))} at step {info.parent.get('step')}")
    parts.append(
        f"<b>Settings</b> (besides the defaults): "
        f"{e(settings_text(info.diff)) or ('the defaults' if info.config else 'unknown')}"
    )
    timeline = sorted(
        [(c.get("step", 0), "changed " + settings_text(c.get("changes", {}))) for c in info.changes]
        + [(a.get("step", 0), f"{a.get('action')} {settings_text(a.get('payload', {}))}") for a in info.events],
        key=lambda t: t[0],
    )
    if timeline:
        parts.append("<b>Timeline</b><br>" + "<br>".join(f"step {s}: {e(text)}" for s, text in timeline))
    if info.metrics:
        rows = "".join(
            f"<tr><td>{e(k)}</td><td align=right>{_num(m['final'])}</td><td align=right>{_num(m['best'])}</td></tr>"
            for k, m in info.metrics.items()
        )
        parts.append(
            f"<b>Metrics</b> at step {step_text(info.steps)}<table><tr><th align=left>metric</th><th>final</th>"
            f"<th>best</th></tr>{rows}</table>"
        )
    if info.tags or info.note:
        parts.append(f"<b>Tags</b> {e(', '.join(info.tags))}<br>{e(info.note)}")
    parts.append(f"<b>Files</b> {e(', '.join(info.files)) or 'none'}")
    parts += [f"<span style='color:#ff8a80'>⚠ {e(w)}</span>" for w in info.warnings]
    return "<br><br>".join(parts)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _row_values(info: RunInfo) -> tuple[Any, ...]:
    """The table's cells for a run, in COLUMNS' order."""
    started = "" if info.started is None else _dt.datetime.fromtimestamp(info.started).strftime("%Y-%m-%d %H:%M")
    return (
        info.rel.removeprefix(f"{info.plugin}/"),  # the plugin has a column of its own
        info.plugin or "?",
        info.state,
        started,
        info.steps if info.steps is not None else -1,
        settings_text(info.diff),
        ", ".join(info.tags),
    )


class ForkDialog(QtWidgets.QDialog):
    """What a fork changes: settings, and the checkpoint it starts from: the run's latest, or
    one of its history's earlier steps."""

    def __init__(self, info: RunInfo, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Fork {info.rel}")
        self.settings = QtWidgets.QLineEdit(placeholderText="key=value, space-separated")
        self.step = QtWidgets.QComboBox()
        self.step.addItem("the latest checkpoint", None)
        for step in reversed(checkpoint_steps(info.path)):
            self.step.addItem(f"step {step}", step)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        form.addRow("settings to change", self.settings)
        form.addRow("start from", self.step)
        form.addRow(buttons)

    def choice(self) -> tuple[list[str], int | None]:
        """The ``--set`` values and the step to fork at (None: the latest checkpoint)."""
        step: int | None = self.step.currentData()
        return self.settings.text().split(), step


class RunBrowser(QtWidgets.QWidget):
    """The runs under ``root`` (the app's by default); ``window`` is the main window that
    opens panels for them."""

    def __init__(self, window: Any = None, root: str | Path | None = None) -> None:
        super().__init__()
        self.main_window = window
        self.index = RunIndex(root if root is not None else settings.home() / "runs")
        self.runs: list[RunInfo] = []
        self.undo_stack: list[list[Path]] = []  # trashed paths, one list per delete
        self.compares: list[CompareView] = []
        self.forks: list[QtCore.QProcess] = []
        self._shown: dict[str, RunInfo] = {}  # path -> the info its row shows, of every run
        self._items: dict[str, list[QtWidgets.QTableWidgetItem]] = {}  # path -> the row's cells, of those shown
        self.filter = QtWidgets.QLineEdit(placeholderText="filter: plugin, state, tag, or a setting such as alpha=0.1")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._fill)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_run())
        self.detail = QtWidgets.QTextBrowser()
        self.gif = QtWidgets.QLabel()
        self.gif.hide()
        self.movie: QtGui.QMovie | None = None
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        buttons = QtWidgets.QGridLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for i, (name, slot, tip) in enumerate(
            [
                ("Open", self.open_run, "the run's curves and saved arrays in its plugin's panel, read-only"),
                ("Compare", self.compare, "the selected runs' curves on one plot per metric"),
                ("Fork…", self.ask_fork, "a new run from this one's checkpoint with changed settings"),
                ("Resume", self.resume, "continue this run in its plugin's panel"),
                ("Tag…", self.ask_tags, "tags to find the run by"),
                ("Note…", self.ask_note, "a note about the run"),
                ("Delete", self.delete, "move the selected runs to the trash (Undo brings them back)"),
                ("Undo", self.undo, "bring back the runs deleted last"),
            ]
        ):
            button = self.buttons[name] = QtWidgets.QPushButton(name)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            buttons.addWidget(button, i // 4, i % 4)
        pane = QtWidgets.QWidget()
        pane_layout = QtWidgets.QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.addWidget(self.detail, 1)
        pane_layout.addWidget(self.gif, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(pane)
        split.setStretchFactor(1, 2)  # the details are what one reads; the table scrolls
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(REFRESH_MS)
        self.refresh()
        self._enable()

    # ---------- the table ----------
    def _tick(self) -> None:
        """The timer's refresh, spaced so that refreshing takes at most REFRESH_SHARE of the GUI
        thread's time (its CPU time: a busy machine's waits are not the browser's cost)."""
        if not self.isVisible():
            return
        t0 = time.thread_time()
        self.refresh()
        self.timer.setInterval(max(REFRESH_MS, int(1000 * (time.thread_time() - t0) / REFRESH_SHARE)))

    def refresh(self) -> None:
        """Scan again (only changed runs are read) and update the table where runs changed, came
        or went; it is filled again only at first, or when a changed run left or joined the filter."""
        self.runs = self.index.scan()
        shown = {r.path: r for r in self.runs}
        terms = self.filter.text().split()
        # the index makes a new info per change: identity says which runs changed
        changed = [r for r in self.runs if self._shown.get(r.path, r) is not r]
        added = [r for r in self.runs if r.path not in self._shown and matches(r, terms)]
        gone = [p for p in self._items if p not in shown]
        first, self._shown = not self._shown, shown
        if first or any((r.path in self._items) != matches(r, terms) for r in changed):
            self._fill()
            return
        for path in gone:
            self.table.removeRow(self._items.pop(path)[0].row())
        if added:
            self.table.setSortingEnabled(False)
            for info in added:
                self._add_row(info)
            self.table.setSortingEnabled(True)
        for info in changed:  # a sorted table moves an updated row to its place
            if info.path in self._items:
                self._set_row(self._items[info.path], info)

    def visible_runs(self) -> list[RunInfo]:
        terms = self.filter.text().split()
        return [r for r in self.runs if matches(r, terms)]

    def _fill(self) -> None:
        chosen = {r.path for r in self.selected()}
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        self._items = {}
        for info in self.visible_runs():
            self._add_row(info)
            if info.path in chosen:
                self.table.selectRow(self.table.rowCount() - 1)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()

    def _add_row(self, info: RunInfo) -> None:
        """A row for ``info`` at the end (call with sorting off)."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        items = self._items[info.path] = [QtWidgets.QTableWidgetItem() for _ in COLUMNS]
        for col, item in enumerate(items):
            item.setData(PATH_ROLE, info.path)
            self.table.setItem(row, col, item)
        self._set_row(items, info)

    @staticmethod
    def _set_row(items: list[QtWidgets.QTableWidgetItem], info: RunInfo) -> None:
        tip = "\n".join(info.warnings)
        for item, value in zip(items, _row_values(info)):
            item.setData(QtCore.Qt.ItemDataRole.DisplayRole, value)  # numbers sort as numbers
            item.setToolTip(tip)

    def select(self, infos: list[RunInfo]) -> None:
        """Select the rows of ``infos`` (tests and other widgets choose runs this way)."""
        wanted = {i.path for i in infos}
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(PATH_ROLE) in wanted:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def selected(self) -> list[RunInfo]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        paths = [self.table.item(row, 0).data(PATH_ROLE) for row in rows]
        by_path = {r.path: r for r in self.runs}
        return [by_path[p] for p in paths if p in by_path]

    def _enable(self) -> None:
        chosen = self.selected()
        one = len(chosen) == 1
        can_resume = one and CHECKPOINT_NAME in chosen[0].files
        for name, on in (
            ("Open", one),
            ("Compare", len(chosen) >= 1),
            ("Fork…", can_resume),
            ("Resume", can_resume),
            ("Tag…", one),
            ("Note…", one),
            ("Delete", bool(chosen)),
            ("Undo", bool(self.undo_stack)),
        ):
            self.buttons[name].setEnabled(on and (self.main_window is not None or name not in ("Open", "Resume")))

    def _show_detail(self) -> None:
        self._enable()
        chosen = self.selected()
        if self.movie is not None:
            self.movie.stop()
            self.movie = None
        self.gif.hide()
        if len(chosen) != 1:
            self.detail.setHtml(f"{len(chosen)} runs selected" if chosen else "")
            return
        info = chosen[0]
        self.detail.setHtml(detail_html(info))
        gifs = [name for name in info.files if name.endswith(".gif")]
        if gifs:
            self.movie = QtGui.QMovie(str(Path(info.path) / gifs[0]), parent=self)
            self.movie.jumpToFrame(0)
            size = self.movie.currentImage().size()
            if size.height() > GIF_HEIGHT:  # the recording at a height that leaves the details readable
                self.movie.setScaledSize(
                    size.scaled(size.width(), GIF_HEIGHT, QtCore.Qt.AspectRatioMode.KeepAspectRatio)
                )
            self.gif.setMovie(self.movie)
            self.gif.show()
            self.movie.start()

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _one(self, info: RunInfo | None) -> RunInfo | None:
        if info is not None:
            return info
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    # ---------- actions ----------
    def open_run(self, info: RunInfo | None = None) -> PluginPanel | None:
        """The run in a new tab of its plugin's panel, read-only."""
        info = self._one(info)
        if info is None or self.main_window is None:
            return None
        m = self.main_window.manifests.get(info.plugin)
        if m is None or m.broken:
            self._say(f"cannot open {info.rel}: plugin {info.plugin!r} is not available")
            return None
        values = settings.usable_values(m.config_class(), dict(info.config), m.id)
        panel = PluginPanel(m, values, device=self.main_window.device)
        show_run(panel, info)
        self.main_window.tabs.addTab(panel, f"{m.title} · {info.name}")
        self.main_window.tabs.setCurrentWidget(panel)
        return panel

    def compare(self, infos: list[RunInfo] | None = None) -> CompareView | None:
        """The runs overlaid, in a window of their own; curves of the plugin's curve views when
        the runs share one plugin, else every metric."""
        infos = infos if infos is not None else self.selected()
        if not infos:
            return None
        plugins = {i.plugin for i in infos}
        views: tuple[ViewSpec, ...] = ()
        if self.main_window is not None and len(plugins) == 1 and infos[0].plugin in self.main_window.manifests:
            views = self.main_window.manifests[infos[0].plugin].views
        view = CompareView(infos, views)
        view.setWindowFlag(QtCore.Qt.WindowType.Window)
        view.resize(1100, 700)
        view.show()
        self.compares.append(view)
        return view

    def resume(self, info: RunInfo | None = None) -> PluginPanel | None:
        """Load the run's checkpoint into its plugin's panel: Start continues it."""
        info = self._one(info)
        if info is None or self.main_window is None:
            return None
        panel = self.main_window.open_plugin(info.plugin)
        if panel is not None and not panel.load_checkpoint(Path(info.path) / CHECKPOINT_NAME):
            self._say(f"cannot resume {info.rel}: {panel.status.text()}")
        return panel

    def fork(self, info: RunInfo, sets: list[str], step: int | None = None) -> QtCore.QProcess:
        """Start ``workbench run --fork`` (at the checkpoint at or before ``step``, else the
        latest) in the background into a new run folder; it shows up in the table while it trains."""
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]
        out = self.index.root / (info.plugin or "unknown") / f"{stamp}-fork"
        args = ["-m", "workbench.core.cli", "run", info.plugin or "", "--fork", info.path, "--out", str(out), "--quiet"]
        for s in sets:
            args += ["--set", s]
        if step is not None:
            args += ["--step", str(step)]
        process = QtCore.QProcess(self)
        process.setProcessChannelMode(QtCore.QProcess.ProcessChannelMode.MergedChannels)
        process.finished.connect(lambda code, _status: self._forked(process, code))
        process.start(sys.executable, args)
        self.forks.append(process)
        self._say(f"forking {info.rel} into {out}…")
        return process

    def _forked(self, process: QtCore.QProcess, code: int) -> None:
        text = bytes(process.readAll().data()).decode(errors="replace").strip().splitlines()
        self._say(("fork: " if code == 0 else "fork failed: ") + (text[-1] if text else f"exit code {code}"))
        self.refresh()

    def ask_fork(self) -> None:
        info = self._one(None)
        if info is None:
            return
        dialog = ForkDialog(info, self)
        if dialog.exec():
            self.fork(info, *dialog.choice())

    def set_tags(self, info: RunInfo, tags: list[str]) -> None:
        annotate(info.path, tags=tags)
        self.refresh()

    def set_note(self, info: RunInfo, note: str) -> None:
        annotate(info.path, note=note)
        self.refresh()

    def ask_tags(self) -> None:
        info = self._one(None)
        if info is not None:
            text, ok = QtWidgets.QInputDialog.getText(
                self, "Tags", "tags (comma-separated):", text=", ".join(info.tags)
            )
            if ok:
                self.set_tags(info, text.split(","))

    def ask_note(self) -> None:
        info = self._one(None)
        if info is not None:
            text, ok = QtWidgets.QInputDialog.getMultiLineText(self, "Note", "note:", info.note)
            if ok:
                self.set_note(info, text)

    def delete(self, infos: list[RunInfo] | None = None) -> list[Path]:
        """Move runs to the trash; Undo brings them back."""
        infos = infos if infos is not None else self.selected()
        moved = []
        for info in infos:
            try:
                moved.append(self.index.trash(info.path))
            except OSError as exc:
                self._say(f"cannot delete {info.rel}: {exc.strerror or exc}")
        if moved:
            self.undo_stack.append(moved)
            self._say(
                f"moved {len(moved)} run{'s' * (len(moved) > 1)} to {self.index.root / '.trash'}: Undo brings "
                f"{'them' if len(moved) > 1 else 'it'} back"
            )
        self.refresh()
        self._enable()
        return moved

    def undo(self) -> list[Path]:
        """Restore the runs deleted last."""
        if not self.undo_stack:
            return []
        restored = []
        for path in self.undo_stack.pop():
            try:
                restored.append(self.index.restore(path))
            except (OSError, ValueError) as exc:
                self._say(f"cannot restore {path}: {exc}")
        if restored:
            self._say(f"restored {len(restored)} run{'s' * (len(restored) > 1)}")
        self.refresh()
        self._enable()
        return restored
