"""Zeiler & Fergus's deconvnet: project one feature's activation back to pixel space.

Going down from the layer, each module of the forward chain is undone in reverse order
(Zeiler & Fergus 2014, section 2.1):

- max-pooling: *unpooling* puts each value back at the position its maximum came from,
  using the switches recorded in the forward pass (not spread over the whole window);
- ReLU: the reconstructed signal goes through a ReLU again;
- convolution: a *transposed* convolution with the same filters (no bias).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from workbench.lens.probe import Step, record_chain

PASS_THROUGH = (nn.Identity, nn.Dropout, nn.Dropout2d)


def pool_switches(pool: nn.MaxPool2d, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Max-pool ``x`` as ``pool`` does, also returning the switches (flat index of each maximum)."""
    return F.max_pool2d(
        x, pool.kernel_size, pool.stride, pool.padding, pool.dilation, ceil_mode=pool.ceil_mode, return_indices=True
    )


def unpool(y: torch.Tensor, switches: torch.Tensor, pool: nn.MaxPool2d, size: torch.Size) -> torch.Tensor:
    """Put each value of ``y`` at its switch position in a zero map of ``size`` (the pool's input)."""
    if pool.dilation not in (1, (1, 1)):
        raise ValueError(f"unpooling a dilated max-pool (dilation={pool.dilation}) is not supported")
    return F.max_unpool2d(y, switches, pool.kernel_size, pool.stride, pool.padding, output_size=size[-2:])


def deconv(y: torch.Tensor, conv: nn.Conv2d, size: torch.Size) -> torch.Tensor:
    """Transposed convolution of ``y`` with ``conv``'s own filters, back to the input ``size``."""
    out = F.conv_transpose2d(
        y, conv.weight.detach(), None, conv.stride, conv.padding, dilation=conv.dilation, groups=conv.groups
    )
    pad_h, pad_w = size[-2] - out.shape[-2], size[-1] - out.shape[-1]
    if pad_h or pad_w:  # rows and columns a strided convolution never reached: nothing comes back to them
        out = F.pad(out, (0, pad_w, 0, pad_h))
    return out


def project_down(steps: list[Step], signal: torch.Tensor) -> torch.Tensor:
    """Run ``signal`` (shaped like the last step's output) down the recorded chain to its input."""
    for step in reversed(steps):
        m = step.module
        if isinstance(m, nn.Conv2d):
            signal = deconv(signal, m, step.input.shape)
        elif isinstance(m, nn.MaxPool2d):
            _, switches = pool_switches(m, step.input)
            signal = unpool(signal, switches, m, step.input.shape)
        elif isinstance(m, nn.ReLU):
            signal = F.relu(signal)
        elif not isinstance(m, PASS_THROUGH):
            raise ValueError(
                f"the deconvnet cannot go back through {type(m).__name__}; "
                "it handles Conv2d, ReLU, MaxPool2d, Dropout and Identity"
            )
    return signal


def isolate(act: torch.Tensor, feature: int, strongest: bool = True) -> torch.Tensor:
    """Zero every activation except feature ``feature``'s: only its strongest one per input
    (``strongest``, as in Zeiler & Fergus's figures) or its whole map."""
    keep = torch.zeros_like(act)
    fmap = act[:, feature]
    if strongest:
        flat = fmap.flatten(1)
        idx = flat.argmax(dim=1, keepdim=True)
        keep[:, feature] = torch.zeros_like(flat).scatter(1, idx, flat.gather(1, idx)).view_as(fmap)
    else:
        keep[:, feature] = fmap
    return keep


@torch.no_grad()
def project(model: nn.Module, layer: str, x: torch.Tensor, feature: int, strongest: bool = True) -> torch.Tensor:
    """Deconvnet projections of feature ``feature`` of ``layer`` for each input in ``x``: (N, C, H, W).

    Args:
        model: a convnet whose path from the input to ``layer`` is a chain of modules.
        layer: a module name from ``model.named_modules()``.
        x: a batch of inputs (N, C, H, W).
        feature: the channel of ``layer``'s output to project.
        strongest: keep only the feature's strongest activation (True) or its whole map.
    """
    steps = record_chain(model, layer, x)
    act = steps[-1].output
    if not 0 <= feature < act.shape[1]:
        raise ValueError(f"feature={feature} is outside layer {layer!r}'s {act.shape[1]} features")
    return project_down(steps, isolate(act, feature, strongest))


@torch.no_grad()
def top_activations(
    model: nn.Module, layer: str, x: torch.Tensor, feature: int, k: int = 9
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The ``k`` inputs of ``x`` whose strongest activation of ``feature`` is largest.

    Returns:
        indices into ``x`` (k,), those activations (k,), and the deconvnet projections of each
        one's strongest activation (k, C, H, W).
    """
    steps = record_chain(model, layer, x)
    act = steps[-1].output
    if not 0 <= feature < act.shape[1]:
        raise ValueError(f"feature={feature} is outside layer {layer!r}'s {act.shape[1]} features")
    peak = act[:, feature].flatten(1).max(dim=1).values
    values, idx = peak.topk(min(k, len(peak)))
    chosen = [_select(step, idx) for step in steps]
    return idx, values, project_down(chosen, isolate(act[idx], feature))


def _select(step: Step, idx: torch.Tensor) -> Step:
    """The step restricted to the inputs ``idx`` of its batch."""
    return Step(step.module, step.input[idx], step.output[idx])
