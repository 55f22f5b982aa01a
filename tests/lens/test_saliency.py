"""Guided backpropagation, Grad-CAM, CAM and activation maximisation against hand-computed values."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from workbench.lens.maximise import maximise
from workbench.lens.saliency import cam, grad_cam, guided_backprop


def test_grad_cam_equals_the_hand_computed_map():
    net = nn.Sequential(nn.Conv2d(1, 2, 1, bias=False), nn.Flatten(), nn.Linear(8, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([1.0, 2.0]).view(2, 1, 1, 1))
        net[2].weight.zero_()
        net[2].weight[1] = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    x = torch.tensor([[[[1.0, 2.0], [3.0, -1.0]]]])
    # A1 = x, A2 = 2x; d score / d A1 = 1 everywhere (alpha 1), d / d A2 = [1, 0, 0, 0] (alpha 1/4)
    # Grad-CAM = relu(1 * x + 0.25 * 2x) = relu(1.5 x)
    expected = torch.tensor([[[1.5, 3.0], [4.5, 0.0]]])
    assert torch.allclose(grad_cam(net, "0", x, target=1), expected)


def test_grad_cam_with_a_gap_head_is_cam_over_the_map_area():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3)
    )
    x = torch.rand(2, 1, 5, 5)
    # with global average pooling, alpha_k = w[target, k] / (h * w): Grad-CAM = relu(CAM) / 25
    assert torch.allclose(grad_cam(net, "1", x, 2), cam(net, "1", "4", x, 2).clamp(min=0) / 25, atol=1e-6)
    with pytest.raises(ValueError, match="fc='2' is a AdaptiveAvgPool2d"):
        cam(net, "1", "2", x, 0)


def test_guided_backprop_keeps_only_positive_gradients_through_active_units():
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU(), nn.Linear(3, 1, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]))
        net[2].weight.copy_(torch.tensor([[1.0, -1.0, 2.0]]))
    x = torch.tensor([[2.0, 1.0]])  # hidden [2, 1, 3], all active; the -1 gradient is dropped
    assert torch.equal(guided_backprop(net, x, target=0), torch.tensor([[5.0, -2.0]]))  # W1^T [1, 0, 2]
    plain = torch.autograd.grad(net(x.requires_grad_(True))[0, 0], x)[0]
    assert torch.equal(plain, torch.tensor([[5.0, -3.0]]))  # the hooks are gone afterwards
    with pytest.raises(ValueError, match="target=4 is not an index"):
        guided_backprop(net, x, target=4)


def test_lens_leaves_training_state_alone():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    net.train()
    x = torch.rand(1, 1, 6, 6)
    grad_cam(net, "1", x, 0)
    guided_backprop(net, x, 0)
    assert net.training and all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("sign,expected", [(1.0, 1.0), (-1.0, 0.0)])
def test_activation_maximisation_finds_the_preferred_input(sign, expected):
    net = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(16, 1))
    with torch.no_grad():
        net[0].weight.fill_(sign)
    # the centre unit of the 1x1 conv is sign * pixel (2, 2): it goes white (or black),
    # the pixels it does not see stay at the gray the L2 term pulls them to
    img = maximise(net, (1, 4, 4), 0, "0", steps=30, jitter=0, blur_every=0)
    others = torch.ones(4, 4, dtype=torch.bool)
    others[2, 2] = False
    assert img.shape == (1, 4, 4) and 0.0 <= img.min() and img.max() <= 1.0
    assert img[0, 2, 2].item() == pytest.approx(expected, abs=0.01)
    assert torch.allclose(img[0][others], torch.full((15,), 0.5), atol=0.05)
