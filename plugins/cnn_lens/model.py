"""The convnet the lens looks into: conv-ReLU-pool blocks, then a dense or a global-average-pooling head."""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from workbench_plugins.cnn_lens.config import WIDTHS


class ConvNet(nn.Module):
    """Conv layers of 32, 64, 128 features (3x3, padding 1), each followed by a ReLU and a 2x2 max-pool.

    ``head="fc"``: flatten, a 128-unit hidden layer, the class scores (seed 001's network).
    ``head="gap"``: the last block keeps its resolution (no pool) and its feature maps are averaged
    into one linear layer, ``fc``, whose weights give the class activation maps (Zhou et al. 2016).
    """

    def __init__(self, channels: int, classes: int, size: int, depth: int = 2, head: str = "fc") -> None:
        super().__init__()
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        c_in = channels
        for i, width in enumerate(WIDTHS[:depth], start=1):
            blocks[f"conv{i}"] = nn.Conv2d(c_in, width, 3, padding=1)
            blocks[f"relu{i}"] = nn.ReLU()
            if head == "fc" or i < depth:
                blocks[f"pool{i}"] = nn.MaxPool2d(2)
            c_in = width
        self.features = nn.Sequential(blocks)
        if head == "gap":
            self.hidden = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
            self.fc = nn.Linear(c_in, classes)
        else:
            with torch.no_grad():
                flat = self.features(torch.zeros(1, channels, size, size)).numel()
            self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(flat, 128), nn.ReLU())
            self.fc = nn.Linear(128, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.hidden(self.features(x)))

    @staticmethod
    def lens_layer(layer: int) -> str:
        """The module whose output is conv layer ``layer``'s rectified feature maps."""
        return f"features.relu{layer}"
