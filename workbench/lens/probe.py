"""Finding a layer by name and recording what a forward pass did up to it.

The lens works on any ``nn.Module`` convnet whose layers are modules (``nn.Conv2d``,
``nn.ReLU``, ``nn.MaxPool2d``...): a layer is named as in ``model.named_modules()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn


def find_layer(model: nn.Module, name: str) -> nn.Module:
    """The submodule called ``name``; raises ValueError listing the names there are."""
    modules = dict(model.named_modules())
    if name not in modules or name == "":
        convs = [n for n, m in modules.items() if isinstance(m, nn.Conv2d)]
        raise ValueError(f"layer {name!r} is not in the model; its conv layers are: {', '.join(convs)}")
    return modules[name]


def conv_layers(model: nn.Module) -> list[str]:
    """Names of the model's ``nn.Conv2d`` layers, in registration order."""
    return [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]


@contextmanager
def hooked(module: nn.Module, hook) -> Iterator[None]:
    """Run the block with ``hook`` as a forward hook of ``module``, removing it afterwards."""
    handle = module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


def keeping(seen: list[torch.Tensor]):
    """A forward hook that appends the module's output to ``seen`` and hands the rest of the
    network a copy, so an in-place op after it (``nn.ReLU(inplace=True)``, a residual
    ``out += identity``) changes the copy and not what was kept. Gradients flow through both."""

    def keep(_m, _i, out):
        seen.append(out)
        return out.clone()

    return keep


def forward_to(model: nn.Module, layer: str, x: torch.Tensor) -> torch.Tensor:
    """The output of ``layer`` for input ``x``, stopping the forward pass there.

    Gradients flow through it when enabled by the caller.
    """
    seen: list[torch.Tensor] = []

    def keep(_m, _i, out):
        seen.append(out)
        raise _Reached

    with hooked(find_layer(model, layer), keep):
        try:
            model(x)
        except _Reached:
            pass
    if not seen:
        raise ValueError(f"layer {layer!r} was not used by the model's forward pass")
    return seen[0]


def activations(model: nn.Module, layer: str, x: torch.Tensor) -> torch.Tensor:
    """The output of ``layer`` for input ``x`` in eval mode, detached."""
    with torch.no_grad(), evaluating(model):
        return forward_to(model, layer, x)


class _Reached(Exception):
    """Stops a forward pass once the layer of interest has produced its output."""


@dataclass
class Step:
    """One module call of a recorded forward pass: the module, its input and its output."""

    module: nn.Module
    input: torch.Tensor
    output: torch.Tensor


def record_chain(model: nn.Module, layer: str, x: torch.Tensor) -> list[Step]:
    """The leaf-module calls from the input up to and including ``layer``, in order.

    Each call's input must be the previous call's output (a plain chain, as in a
    convnet's feature extractor); raises ValueError naming the break otherwise.
    """
    target = find_layer(model, layer)
    leaves = [m for m in model.modules() if not list(m.children())]
    if target not in leaves:
        raise ValueError(f"layer {layer!r} is a container; name one of its layers instead")
    steps: list[Step] = []

    def keep(module, inputs, out):
        steps.append(Step(module, inputs[0].detach(), out.detach()))
        if module is target:
            raise _Reached

    handles = [m.register_forward_hook(keep) for m in leaves]
    try:
        with torch.no_grad(), evaluating(model):
            model(x)
    except _Reached:
        pass
    finally:
        for h in handles:
            h.remove()
    if not steps or steps[-1].module is not target:
        raise ValueError(f"layer {layer!r} was not used by the model's forward pass")
    for before, after in zip(steps, steps[1:]):
        if after.input.data_ptr() != before.output.data_ptr() or after.input.shape != before.output.shape:
            raise ValueError(
                f"{type(after.module).__name__} before layer {layer!r} does not take the output of "
                f"{type(before.module).__name__}: the lens needs a plain chain of modules up to the layer"
            )
    return steps


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Run the block with ``model`` in eval mode (dropout off, batch-norm frozen), then restore it."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
