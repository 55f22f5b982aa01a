"""The deconvnet undoes a forward chain as Zeiler & Fergus describe: switches, ReLU, same filters."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from workbench.lens.deconv import deconv, pool_switches, project, top_activations, unpool
from workbench.lens.probe import record_chain


def test_unpooling_puts_each_value_where_its_maximum_was():
    x = torch.tensor([[[[1.0, 5.0, 0.0, 2.0], [3.0, 2.0, 7.0, 1.0], [0.0, 1.0, 4.0, 4.0], [9.0, 2.0, 3.0, 8.0]]]])
    pool = nn.MaxPool2d(2)
    pooled, switches = pool_switches(pool, x)
    assert pooled.flatten().tolist() == [5.0, 7.0, 9.0, 8.0]
    back = unpool(torch.tensor([[[[10.0, 20.0], [30.0, 40.0]]]]), switches, pool, x.shape)
    expected = torch.zeros(1, 1, 4, 4)
    expected[0, 0, 0, 1], expected[0, 0, 1, 2], expected[0, 0, 3, 0], expected[0, 0, 3, 3] = 10.0, 20.0, 30.0, 40.0
    assert torch.equal(back, expected)  # nothing spread over the rest of each window


@pytest.mark.parametrize("kernel,stride,padding,size", [(3, 1, 1, 28), (8, 4, 0, 84), (4, 2, 0, 20), (3, 2, 1, 9)])
def test_transposed_convolution_uses_the_layers_own_filters(kernel, stride, padding, size):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 5, kernel, stride, padding)
    x = torch.randn(2, 3, size, size)
    y = torch.randn_like(conv(x))
    back = deconv(y, conv, x.shape)
    assert back.shape == x.shape
    # the transpose of the convolution with conv.weight: <W x, y> == <x, W^T y>
    lhs = ((conv(x) - conv.bias[:, None, None]) * y).sum()
    assert torch.allclose(lhs, (x * back).sum(), rtol=1e-4)
    with torch.no_grad():
        conv.weight.mul_(2.0)  # it reads the live filters, not a copy
    assert torch.allclose(deconv(y, conv, x.shape), 2 * back, rtol=1e-5, atol=1e-5)


def test_one_layer_projection_equals_the_hand_computed_one():
    net = nn.Sequential(nn.Conv2d(1, 1, 2, bias=False), nn.ReLU(), nn.MaxPool2d(2))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[[[1.0, 0.0], [0.0, 2.0]]]]))
    x = torch.tensor([[[[1.0, 2.0, 0.0], [0.0, 3.0, 1.0], [2.0, 0.0, 4.0]]]])
    # conv: [[1+2*3, 2+2*1], [0+2*0, 3+2*4]] = [[7, 4], [0, 11]]; the pool keeps 11 from (1, 1);
    # unpooled there, through the ReLU, then 11 * the filter placed at (1, 1)
    expected = torch.tensor([[[[0.0, 0.0, 0.0], [0.0, 11.0, 0.0], [0.0, 0.0, 22.0]]]])
    assert torch.equal(project(net, "2", x, feature=0), expected)


def test_only_the_chosen_feature_is_projected():
    net = nn.Sequential(nn.Conv2d(1, 2, 1, bias=False), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
    x = torch.tensor([[[[1.0, -2.0], [3.0, 0.0]]]])
    # feature 1 is relu(-x) = [[0, 2], [0, 0]]; its whole map goes back through the ReLU and -1
    assert torch.equal(project(net, "1", x, 1, strongest=False), torch.tensor([[[[0.0, -2.0], [0.0, 0.0]]]]))
    assert torch.equal(project(net, "1", x, 0), torch.tensor([[[[0.0, 0.0], [3.0, 0.0]]]]))


def test_top_activations_rank_the_batch_and_project_each_input():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU())
    batch = torch.rand(20, 1, 12, 12)
    idx, values, proj = top_activations(net, "4", batch, feature=3, k=9)
    peaks = net(batch)[:, 3].flatten(1).max(dim=1).values.detach()
    assert idx.tolist() == peaks.argsort(descending=True)[:9].tolist()
    assert torch.allclose(values, peaks[idx])
    for i, p in zip(idx, proj):
        assert torch.allclose(p, project(net, "4", batch[i : i + 1], 3)[0], atol=1e-6)


def test_a_break_in_the_chain_is_named():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3)

        def forward(self, x):
            return self.conv2(F.relu(self.conv1(x)))

    with pytest.raises(ValueError, match="Conv2d before layer 'conv2' does not take the output of Conv2d"):
        record_chain(Functional(), "conv2", torch.rand(1, 1, 8, 8))
    with pytest.raises(ValueError, match="layer 'conv9' is not in the model; its conv layers are: conv1, conv2"):
        project(Functional(), "conv9", torch.rand(1, 1, 8, 8), 0)
    with pytest.raises(ValueError, match="feature=5 is outside layer 'conv1'"):
        project(Functional(), "conv1", torch.rand(1, 1, 8, 8), 5)
