"""An image (gray or RGB) drawn with fixed levels: renders, sample grids, feature maps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.qt.views.base import ArrayView
from workbench.qt.views.titles import WrappedTitle


class ImageView(ArrayView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.box = self.addViewBox(lockAspect=True, invertY=True, enableMouse=True)
        self.ci.addItem(WrappedTitle(self.title), row=1, col=0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self._shape: tuple[int, ...] | None = None

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
        if arr.shape != self._shape:
            self._shape = arr.shape
            self.box.setDefaultPadding(0.0)
            self.box.enableAutoRange()  # keeps fitting as the panel resizes
