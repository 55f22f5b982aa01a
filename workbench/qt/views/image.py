"""An image (gray or RGB) drawn with fixed levels: renders, sample grids, feature maps; its
caption and background follow the theme."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.qt import theme
from workbench.qt.views.base import ArrayView
from workbench.qt.views.titles import WrappedTitle


class ImageView(ArrayView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = pg.AxisItem("top") if self.option("columns_key") else None
        if self.columns is not None:  # numbers over the columns, drawn at a readable size
            self.ci.addItem(self.columns, row=0, col=0)
        self.box = self.ci.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=True)
        if self.columns is not None:
            self.columns.linkToView(self.box)
            self.columns.setTicks([[]])  # none until the trainer names the columns
        self.caption = WrappedTitle(self.title, size=f"{theme.TITLE_PT}pt")
        self.ci.addItem(self.caption, row=2, col=0)
        self._columns_version = 0
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self._shape: tuple[int, ...] | None = None
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        super().apply_theme(look)
        self.caption.setText(self.title, color=look.text, size=f"{theme.TITLE_PT}pt")
        if self.columns is not None:
            self.columns.setStyle(tickFont=theme.font(theme.TICK_PT))
            self.columns.setPen(look.foreground)
            self.columns.setTextPen(look.foreground)
            self.columns.setLabel(
                self.option("columns_label"), **{"color": look.foreground, "font-size": f"{theme.LABEL_PT}pt"}
            )
            theme.plain_numbers(self.columns)

    def array_keys(self) -> set[str]:
        return super().array_keys() | ({self.option("columns_key")} if self.option("columns_key") else set())

    def _name_columns(self, width: int) -> None:
        version, values = self.latest.read(self.option("columns_key"))
        if values is None or version == self._columns_version:
            return
        self._columns_version = version
        values = np.asarray(values).ravel()
        step = width / max(len(values), 1)
        self.columns.setTicks([[((i + 0.5) * step, f"{v:g}") for i, v in enumerate(values.tolist())]])

    def levels_for(self, arr: np.ndarray) -> tuple[float, float]:
        levels = self.option("levels")
        if levels is not None:
            return float(levels[0]), float(levels[1])
        return (0.0, 255.0) if arr.dtype == np.uint8 else (0.0, 1.0)

    def draw(self, arr: Any) -> None:
        arr = np.asarray(arr)
        if arr.ndim == 3 and arr.shape[2] == 1:
            arr = arr[..., 0]
        self.image.setImage(arr, autoLevels=False, levels=self.levels_for(arr))
        if self.columns is not None:
            self._name_columns(arr.shape[1])
        if arr.shape != self._shape:
            self._shape = arr.shape
            self.box.setDefaultPadding(0.0)
            self.box.enableAutoRange()  # keeps fitting as the panel resizes
