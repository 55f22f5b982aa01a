"""The lens on torchvision-style networks: in-place ReLUs, batch norm, residual blocks, nested
``nn.Sequential``. Each expected value comes from a plain functional forward pass written out in
the test (no in-place ops, no hooks) and ``torch.autograd.grad``, never from the lens itself."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from workbench.lens.deconv import project, top_activations
from workbench.lens.probe import activations
from workbench.lens.saliency import grad_cam, guided_backprop


class Block(nn.Module):
    """torchvision's BasicBlock: one in-place ReLU used twice and ``out += identity``."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True)),
            nn.MaxPool2d(2),
            Block(4),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def batch_norm(x: torch.Tensor, bn: nn.BatchNorm2d) -> torch.Tensor:
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return (x - bn.running_mean[:, None, None]) * scale[:, None, None] + bn.bias[:, None, None]


def relu(x: torch.Tensor, guided: bool) -> torch.Tensor:
    """A ReLU; ``guided`` also drops negative gradients coming back into it (Springenberg et al.)."""
    out = F.relu(x)
    if guided:
        out.register_hook(lambda g: g.clamp(min=0))
    return out


def resnet_by_hand(net: ResNet, x: torch.Tensor, guided: bool = False) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """``net``'s output and the output of each named layer, computed out of place."""
    stem, block = net.features[0], net.features[2]
    t = {}
    t["features.0.0"] = a = F.conv2d(x, stem[0].weight, stem[0].bias, padding=1)
    t["features.0.1"] = a = batch_norm(a, stem[1])
    t["features.0.2"] = a = relu(a, guided)
    t["features.1"] = a = F.max_pool2d(a, 2)
    t["features.2.conv1"] = h = F.conv2d(a, block.conv1.weight, padding=1)
    t["features.2.bn1"] = h = batch_norm(h, block.bn1)
    h = relu(h, guided)
    t["features.2.conv2"] = h = F.conv2d(h, block.conv2.weight, padding=1)
    t["features.2.bn2"] = h = batch_norm(h, block.bn2)
    t["features.2"] = h = relu(h + a, guided)
    return net.fc(h.mean(dim=(2, 3))), t


def grad_cam_by_hand(score: torch.Tensor, act: torch.Tensor, size: torch.Size) -> torch.Tensor:
    """Selvaraju et al.'s definition: maps weighted by their mean gradient, summed, ReLU, resized."""
    (grads,) = torch.autograd.grad(score, act)
    heat = F.relu((grads.mean(dim=(2, 3), keepdim=True) * act).sum(dim=1, keepdim=True))
    return F.interpolate(heat, size=size, mode="bilinear", align_corners=False)[:, 0]


@pytest.fixture
def resnet() -> ResNet:
    torch.manual_seed(0)
    net = ResNet()
    with torch.no_grad():
        for bn in (m for m in net.modules() if isinstance(m, nn.BatchNorm2d)):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
    return net.train()  # the lens must switch batch norm to its running statistics itself


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(2, 2, 8, 8, generator=torch.Generator().manual_seed(1))


LAYERS = ["features.0.0", "features.0.1", "features.0.2", "features.2.conv1", "features.2.bn2", "features.2"]


@pytest.mark.parametrize("layer", LAYERS)
def test_grad_cam_matches_the_hand_computed_map(resnet, x, layer):
    out, t = resnet_by_hand(resnet, x)
    expected = grad_cam_by_hand(out[:, 1].sum(), t[layer], x.shape[-2:])
    assert expected.abs().max() > 0  # a map worth comparing
    assert torch.allclose(grad_cam(resnet, layer, x, target=1), expected, atol=1e-5)
    assert resnet.training


@pytest.mark.parametrize("layer", LAYERS)
def test_feature_maps_match_the_hand_computed_ones(resnet, x, layer):
    _, t = resnet_by_hand(resnet, x)
    assert torch.allclose(activations(resnet, layer, x), t[layer], atol=1e-5)


def test_guided_backprop_matches_the_hand_computed_one(resnet, x):
    x_in = x.clone().requires_grad_(True)
    out, _ = resnet_by_hand(resnet, x_in, guided=True)
    (expected,) = torch.autograd.grad(out[:, 0].sum(), x_in)
    assert expected.abs().max() > 0
    assert torch.allclose(guided_backprop(resnet, x, target=0), expected, atol=1e-5)


def test_guided_backprop_to_a_layer_matches_the_hand_computed_one(resnet, x):
    x_in = x.clone().requires_grad_(True)
    _, t = resnet_by_hand(resnet, x_in, guided=True)
    peak = t["features.2.conv1"][:, 3].flatten(1).max(dim=1).values.sum()
    (expected,) = torch.autograd.grad(peak, x_in)
    assert torch.allclose(guided_backprop(resnet, x, target=3, layer="features.2.conv1"), expected, atol=1e-5)


def vgg() -> nn.Module:
    """torchvision's VGG shape, small: nested blocks of conv and in-place ReLU, then a linear head."""
    torch.manual_seed(2)
    features = nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)),
        nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=True)),
    )
    return nn.Sequential(features, nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def vgg_by_hand(net: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor], torch.Tensor]:
    """``net``'s output, each named layer's output and the max-pool's switches, out of place."""
    conv1, conv2 = net[0][0][0], net[0][1][0]
    t = {}
    t["0.0.0"] = a = F.conv2d(x, conv1.weight, conv1.bias, padding=1)
    t["0.0.1"] = a = F.relu(a)
    a, switches = F.max_pool2d(a, 2, return_indices=True)
    t["0.0.2"] = a
    t["0.1.0"] = a = F.conv2d(a, conv2.weight, conv2.bias, padding=1)
    t["0.1.1"] = a = F.relu(a)
    return net[2](a.flatten(1)), t, switches


@pytest.fixture
def x_gray() -> torch.Tensor:
    return torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(3))


@pytest.mark.parametrize("layer", ["0.0.0", "0.0.1", "0.1.0"])
def test_grad_cam_at_a_conv_before_an_in_place_relu_matches_the_hand_computed_map(x_gray, layer):
    net = vgg()
    out, t, _ = vgg_by_hand(net, x_gray)
    expected = grad_cam_by_hand(out[:, 0].sum(), t[layer], x_gray.shape[-2:])
    assert expected.abs().max() > 0
    assert torch.allclose(grad_cam(net, layer, x_gray, target=0), expected, atol=1e-5)


def test_deconvnet_projection_matches_the_hand_computed_one(x_gray):
    """Zeiler & Fergus by hand: keep each input's strongest activation of one feature of layer
    "0.1.1", then ReLU, transposed conv and unpooling at the recorded switches back down."""
    net, feature = vgg(), 1
    with torch.no_grad():
        _, t, switches = vgg_by_hand(net, x_gray)
        act = t["0.1.1"]
        keep = torch.zeros_like(act)
        for n in range(len(x_gray)):
            i = int(act[n, feature].argmax())
            keep[n, feature].view(-1)[i] = act[n, feature].view(-1)[i]
        conv1, conv2 = net[0][0][0], net[0][1][0]
        down = F.conv_transpose2d(F.relu(keep), conv2.weight, padding=1)
        down = F.max_unpool2d(down, switches, 2, output_size=x_gray.shape[-2:])
        expected = F.conv_transpose2d(F.relu(down), conv1.weight, padding=1)
    assert expected.abs().max() > 0
    assert torch.allclose(project(net, "0.1.1", x_gray, feature=feature), expected, atol=1e-5)
    idx, _, projections = top_activations(net, "0.1.1", x_gray, feature=feature, k=2)
    assert torch.allclose(projections, expected[idx], atol=1e-5)


def test_the_deconvnet_refuses_a_residual_network_by_name(resnet, x):
    with pytest.raises(ValueError, match="BatchNorm2d|does not take the output"):
        project(resnet, "features.2.conv1", x, feature=0)
