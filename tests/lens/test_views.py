"""The lens views come out as images a panel shows, for the digits convnet and an Atari one."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from workbench.lens import render, views


def atari_net() -> nn.Module:
    """The Nature DQN convnet: 4 stacked 84x84 frames to Q-values of 6 actions."""
    return nn.Sequential(
        nn.Conv2d(4, 32, 8, 4),
        nn.ReLU(),
        nn.Conv2d(32, 64, 4, 2),
        nn.ReLU(),
        nn.Conv2d(64, 64, 3, 1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(3136, 512),
        nn.ReLU(),
        nn.Linear(512, 6),
    )


def test_every_view_of_an_atari_convnet_is_a_unit_range_image():
    torch.manual_seed(0)
    net, frames = atari_net(), torch.rand(12, 4, 84, 84)
    top, idx = views.top9(net, "2", frames, feature=5)
    images = {
        "filters": views.filters(net, "0"),
        "maps": views.feature_maps(net, "4", frames[0]),
        "top9": top,
        "guided": views.guided(net, frames[0], target=2),
        "grad_cam": views.grad_cam_overlay(net, "4", frames[0], target=2),
        "maximised": views.maximised(net, "2", 5, (4, 84, 84), steps=3),
    }
    assert images["filters"].shape == (32 * 9 - 1, 4 * 9 - 1)  # a row of 4 input-channel kernels per feature
    assert images["maps"].shape == (8 * 8 - 1, 8 * 8 - 1)  # 64 maps of 7x7
    assert images["grad_cam"].shape == (84, 84, 3) and images["guided"].shape == (84, 84)
    assert len(set(idx.tolist())) == 9
    for name, img in images.items():
        assert img.dtype == np.float32 and 0.0 <= np.nanmin(img) and np.nanmax(img) <= 1.0, name


def test_heat_overlay_is_red_where_the_heat_is():
    heat = np.zeros((8, 8), np.float32)
    heat[2, 5] = 1.0
    img = render.heat_overlay(np.zeros((8, 8), np.float32), heat)
    assert img[2, 5].argmax() == 0 and img[0, 0].argmax() == 2  # jet: hot red, cold blue


def test_signed_images_put_zero_at_mid_gray():
    assert render.signed(np.array([-2.0, 0.0, 1.0])).tolist() == [0.0, 0.5, 0.75]
    with pytest.raises(ValueError, match="filters need an nn.Conv2d"):
        views.filters(atari_net(), "1")
