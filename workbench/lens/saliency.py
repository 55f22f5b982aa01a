"""Gradient views of what a convnet looks at: guided backpropagation, Grad-CAM and CAM.

All take any module, a layer name, an input batch and a target: a class (or action) index
of the model's output. Gradients are taken with ``torch.autograd.grad``, so nothing
accumulates in the parameters' ``.grad`` while a network trains.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from workbench.lens.probe import activations, evaluating, find_layer, forward_to, hooked, keeping


class GuidedReLU(torch.autograd.Function):
    """ReLU whose backward passes only positive gradients where the input was positive
    (Springenberg et al. 2015): the union of backprop's and the deconvnet's masks."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0) * (grad > 0)


def _output_score(out: torch.Tensor, target: int) -> torch.Tensor:
    if out.ndim != 2 or not 0 <= target < out.shape[1]:
        raise ValueError(f"target={target} is not an index of the model's output of shape {tuple(out.shape)}")
    return out[:, target].sum()


def guided_backprop(model: nn.Module, x: torch.Tensor, target: int, layer: str | None = None) -> torch.Tensor:
    """Guided backpropagation to the input (N, C, H, W) of output ``target``, or with ``layer``
    given, of feature ``target``'s strongest activation in that layer.

    The model's ReLUs must be ``nn.ReLU`` modules (their backward is replaced while this runs).
    """
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    handles = [m.register_forward_hook(lambda _m, inp, _o: GuidedReLU.apply(inp[0])) for m in relus]
    x = x.detach().clone().requires_grad_(True)
    try:
        with evaluating(model), torch.enable_grad():
            if layer is None:
                score = _output_score(model(x), target)
            else:
                score = _feature_peak(model, layer, x, target)
            (grad,) = torch.autograd.grad(score, x)
    finally:
        for h in handles:
            h.remove()
    return grad


def _feature_peak(model: nn.Module, layer: str, x: torch.Tensor, feature: int) -> torch.Tensor:
    """Sum over the batch of feature ``feature``'s strongest activation in ``layer``."""
    act = forward_to(model, layer, x)
    if not 0 <= feature < act.shape[1]:
        raise ValueError(f"feature={feature} is outside layer {layer!r}'s {act.shape[1]} features")
    return act[:, feature].flatten(1).max(dim=1).values.sum()


def grad_cam(model: nn.Module, layer: str, x: torch.Tensor, target: int) -> torch.Tensor:
    """Grad-CAM (Selvaraju et al. 2017) of output ``target`` at ``layer``, upsampled to the input: (N, H, W).

    Each feature map A_k of the layer is weighted by the spatial mean of d score / d A_k,
    the weighted sum goes through a ReLU, then is resized bilinearly to the input's size.
    """
    seen: list[torch.Tensor] = []
    with evaluating(model), torch.enable_grad(), hooked(find_layer(model, layer), keeping(seen)):
        score = _output_score(model(x), target)
        act = seen[0]
        (grads,) = torch.autograd.grad(score, act)
    weights = grads.mean(dim=(2, 3), keepdim=True)
    heat = F.relu((weights * act).sum(dim=1, keepdim=True)).detach()
    return F.interpolate(heat, size=x.shape[-2:], mode="bilinear", align_corners=False)[:, 0]


@torch.no_grad()
def cam(model: nn.Module, layer: str, fc: str, x: torch.Tensor, target: int) -> torch.Tensor:
    """Class activation map (Zhou et al. 2016) for a global-average-pooling head: (N, H, W).

    ``layer``'s feature maps are averaged into ``fc`` (an ``nn.Linear``); the map is
    sum_k w[target, k] A_k, resized bilinearly to the input's size.
    """
    head = find_layer(model, fc)
    if not isinstance(head, nn.Linear):
        raise ValueError(f"fc={fc!r} is a {type(head).__name__}, not the nn.Linear after global average pooling")
    act = activations(model, layer, x)
    if head.in_features != act.shape[1] or not 0 <= target < head.out_features:
        raise ValueError(
            f"CAM needs {fc!r} to map layer {layer!r}'s {act.shape[1]} features to the output "
            f"and target={target} below its {head.out_features} outputs"
        )
    heat = torch.einsum("k,nkhw->nhw", head.weight[target], act)[:, None]
    return F.interpolate(heat, size=x.shape[-2:], mode="bilinear", align_corners=False)[:, 0]
