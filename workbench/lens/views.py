"""The lens views as ready-to-show images: one call per view, any convnet, any layer name.

Inputs are one example (C, H, W) or a batch (N, C, H, W) as the model takes them; targets
are a class or action index of the model's output. Every function returns float32 numpy
in [0, 1] ((H, W) gray or (H, W, 3) RGB; NaN in the gaps of a grid, which a view draws as
its background) and leaves the model's mode and gradients alone.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from workbench.core.images import tile
from workbench.lens import render
from workbench.lens.deconv import top_activations
from workbench.lens.maximise import maximise
from workbench.lens.probe import activations, find_layer
from workbench.lens.saliency import cam, grad_cam, guided_backprop


def _one(x: torch.Tensor) -> torch.Tensor:
    return x[None] if x.ndim == 3 else x[:1]


def filters(model: nn.Module, layer: str, feature: int | None = None) -> np.ndarray:
    """The learned filters of conv ``layer`` (zero at mid-gray); with ``feature``, that feature's
    filter framed (first layer) or its kernel for each input channel (deeper layers)."""
    conv = find_layer(model, layer)
    if not isinstance(conv, nn.Conv2d):
        raise ValueError(f"layer {layer!r} is a {type(conv).__name__}; filters need an nn.Conv2d")
    return render.filter_grid(conv.weight, feature)


def feature_maps(model: nn.Module, layer: str, x: torch.Tensor, mark: int | None = None) -> np.ndarray:
    """Every feature map of ``layer`` for one input, in a grid; ``mark`` frames one feature in red."""
    return render.feature_grid(activations(model, layer, _one(x))[0], mark)


def top9(model: nn.Module, layer: str, batch: torch.Tensor, feature: int, k: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` inputs of ``batch`` that most activate ``feature`` (left) next to the deconvnet
    projection of each one's strongest activation (right, zero at mid-gray).

    Returns the image and the indices of those inputs in ``batch``.
    """
    idx, _, proj = top_activations(model, layer, batch, feature, k)
    inputs = render.unit(np.stack([render.picture(c) for c in render.as_numpy(batch[idx])]))
    projections = np.stack([render.signed(render.picture(p)) for p in render.as_numpy(proj)])
    cols = int(np.ceil(np.sqrt(k)))
    grid = render.side_by_side(
        tile(inputs, cols=cols, pad=1, fill=render.GAP), tile(projections, cols=cols, pad=1, fill=render.GAP)
    )
    return grid, idx.cpu().numpy()


def guided(model: nn.Module, x: torch.Tensor, target: int, layer: str | None = None) -> np.ndarray:
    """Guided backpropagation of output ``target`` (or ``layer``'s feature ``target``) for one input."""
    return render.signed(render.picture(render.as_numpy(guided_backprop(model, _one(x), target, layer)[0])))


def grad_cam_overlay(model: nn.Module, layer: str, x: torch.Tensor, target: int) -> np.ndarray:
    """Grad-CAM of output ``target`` at ``layer``, as a heatmap over the input."""
    x = _one(x)
    return render.heat_overlay(render.backdrop(render.as_numpy(x[0])), grad_cam(model, layer, x, target)[0])


def cam_overlay(model: nn.Module, layer: str, fc: str, x: torch.Tensor, target: int) -> np.ndarray:
    """CAM of output ``target`` (global-average-pooling head ``fc`` over ``layer``), as a heatmap over the input."""
    x = _one(x)
    return render.heat_overlay(render.backdrop(render.as_numpy(x[0])), cam(model, layer, fc, x, target)[0])


def maximised(model: nn.Module, layer: str | None, target: int, shape: tuple[int, ...], **options) -> np.ndarray:
    """The input that activation maximisation finds for ``layer``'s feature ``target`` (or output ``target``)."""
    return render.unit(render.picture(render.as_numpy(maximise(model, shape, target, layer, **options))))
