"""What the panel shows of a Q-network: Q over a 2-D slice of CartPole's state space, and the
saliency of the value and advantage streams (Simonyan et al. 2014, as used by Wang et al. 2016)."""

from __future__ import annotations

import numpy as np
import torch

from workbench_plugins.dqn.model import QNetwork

ANGLE_LIMIT = 0.2095  # CartPole terminates beyond 12 degrees
ANGULAR_SPEED_LIMIT = 3.0
ACTION_ARROWS = np.array([[-1.0, 0.0], [1.0, 0.0]], dtype=np.float32)  # push left, push right


@torch.no_grad()
def cartpole_q_slice(
    net: QNetwork, x: float, v: float, cells: int, device: torch.device
) -> tuple[np.ndarray, np.ndarray]:
    """max_a Q and the greedy action's arrow over pole angle (columns, left to right) by angular
    velocity (rows, fast clockwise at the top), the cart's position ``x`` and velocity ``v`` fixed.

    Returns (max_q (cells, cells), arrows (cells, cells, 2)).
    """
    angle = np.linspace(-ANGLE_LIMIT, ANGLE_LIMIT, cells, dtype=np.float32)
    speed = np.linspace(ANGULAR_SPEED_LIMIT, -ANGULAR_SPEED_LIMIT, cells, dtype=np.float32)
    a, s = np.meshgrid(angle, speed)
    states = np.stack([np.full_like(a, x), np.full_like(a, v), a, s], axis=-1).reshape(-1, 1, 4)
    q = net(torch.as_tensor(states, device=device)).cpu().numpy()
    return q.max(axis=1).reshape(cells, cells), ACTION_ARROWS[q.argmax(axis=1)].reshape(cells, cells, 2)


def slice_extent(cells: int) -> np.ndarray:
    """[x0, x1, y0, y1] of the Q map's outer cell edges: pole angle left to right, angular
    velocity from the top row down (the cells' centres lie on the limits)."""
    half_angle, half_speed = ANGLE_LIMIT / (cells - 1), ANGULAR_SPEED_LIMIT / (cells - 1)
    return np.array(
        [
            -ANGLE_LIMIT - half_angle,
            ANGLE_LIMIT + half_angle,
            ANGULAR_SPEED_LIMIT + half_speed,
            -ANGULAR_SPEED_LIMIT - half_speed,
        ],
        dtype=np.float32,
    )


def saliency(net: QNetwork, obs: np.ndarray, device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """|dV/ds| and |dA(s, a*)/ds| for one observation, a* the best action by advantage; summed over
    the frame stack. Returns two arrays of one frame's shape."""
    s = torch.as_tensor(obs[None], device=device).float().requires_grad_(True)
    value, advantage = net.streams(s)
    (grad_v,) = torch.autograd.grad(value.sum(), s, retain_graph=True)
    (grad_a,) = torch.autograd.grad(advantage[0, advantage[0].argmax()], s)
    return grad_v[0].abs().sum(0).cpu().numpy(), grad_a[0].abs().sum(0).cpu().numpy()
