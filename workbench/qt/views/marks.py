"""Live-change marks on curves: short labels ("ε 0.10→0.50"), and nearby marks drawn as one.

One drag of a slider used to leave seven dashed lines whose rotated labels piled up at the top
of every plot; now a change is one mark, and marks closer than a few percent of the visible
steps share one line whose tooltip lists them all.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg

SYMBOLS = {"epsilon": "ε", "gamma": "γ", "alpha": "α", "tau": "τ", "beta": "β", "theta": "θ", "temperature": "T"}
NEAR = 0.03  # marks within this fraction of the visible steps share a line

Mark = tuple[int, dict[str, Any], dict[str, Any]]  # step, new values, the values they replaced


def _value(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def short_label(changes: dict[str, Any], previous: dict[str, Any]) -> str:
    """``ε 0.1→0.5``, one change per key, Greek letters for the usual rates."""
    return ", ".join(
        f"{SYMBOLS.get(k, k)} {_value(previous[k]) + '→' if k in previous else ''}{_value(v)}"
        for k, v in changes.items()
    )


def group_marks(marks: list[Mark], span: float) -> list[list[Mark]]:
    """Marks in step order, grouped while each lies within ``NEAR * span`` of its group's first."""
    groups: list[list[Mark]] = []
    for mark in sorted(marks, key=lambda m: m[0]):
        if groups and mark[0] - groups[-1][0][0] <= NEAR * span:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    return groups


class MarkLayer:
    """The mark lines of one plot, rebuilt when marks arrive or the visible span changes."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.lines: list[pg.InfiniteLine] = []
        self._drawn: tuple[int, float] = (0, 0.0)

    def update(self, marks: list[Mark], span: float) -> None:
        if (len(marks), span) == self._drawn:
            return
        self._drawn = (len(marks), span)
        self.clear()
        for group in group_marks(marks, span):
            label = short_label(group[0][1], group[0][2]) + (f" (+{len(group) - 1})" if len(group) > 1 else "")
            line = pg.InfiniteLine(
                group[0][0],
                angle=90,
                pen=pg.mkPen("#aaaaaa", style=pg.QtCore.Qt.PenStyle.DashLine),
                label=label,
                labelOpts={"position": 0.95, "color": "#cccccc", "anchors": [(0, 0), (0, 0)]},
            )
            line.setToolTip("\n".join(f"step {step}: {short_label(new, old)}" for step, new, old in group))
            self.plot.addItem(line)
            self.lines.append(line)

    def clear(self) -> None:
        for line in self.lines:
            self.plot.removeItem(line)
        self.lines.clear()
        self._drawn = (0, 0.0)
