"""The policy-gradient lab's math against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from workbench.rl.returns import discounted_returns, gae
from workbench_plugins.policy_gradient.model import Policy
from workbench_plugins.policy_gradient.ppo import clipped_surrogate
from workbench_plugins.policy_gradient.reinforce import policy_gradient_loss
from workbench_plugins.policy_gradient.search import linear_actions


def test_discounted_returns_stop_at_episode_ends():
    # two episodes back to back: [1, 2 | 3], gamma 0.5
    g = discounted_returns(np.array([1.0, 2.0, 3.0]), np.array([0, 1, 1]), gamma=0.5)
    np.testing.assert_allclose(g, [1.0 + 0.5 * 2.0, 2.0, 3.0])


def test_discounted_returns_bootstrap_the_tail_per_env():
    rewards = np.array([[1.0, 0.0], [1.0, 0.0]])
    g = discounted_returns(rewards, np.zeros((2, 2)), gamma=0.9, last_value=np.array([10.0, 100.0]))
    np.testing.assert_allclose(g, [[1 + 0.9 * (1 + 0.9 * 10), 0.81 * 100], [1 + 0.9 * 10, 0.9 * 100]])


def test_gae_by_hand():
    r, v, gamma, lam = np.array([1.0, 0.0, 2.0]), np.array([0.5, 1.0, 1.5]), 0.9, 0.8
    d0 = 1.0 + 0.9 * 1.0 - 0.5  # 1.4
    d1 = 0.0 + 0.9 * 1.5 - 1.0  # 0.35
    d2 = 2.0 + 0.9 * 3.0 - 1.5  # 3.2, bootstrapped from last_value 3
    a2 = d2
    a1 = d1 + gamma * lam * a2
    a0 = d0 + gamma * lam * a1
    np.testing.assert_allclose(gae(r, v, np.zeros(3), 3.0, gamma, lam), [a0, a1, a2])


def test_gae_with_lambda_0_is_the_td_error_and_with_1_the_return_minus_value():
    r, v, dones = np.array([1.0, 1.0, 1.0]), np.array([0.2, 0.4, 0.6]), np.array([0, 1, 0])
    td = np.array([1 + 0.5 * 0.4 - 0.2, 1 - 0.4, 1 + 0.5 * 2.0 - 0.6])
    np.testing.assert_allclose(gae(r, v, dones, 2.0, 0.5, 0.0), td)
    mc = discounted_returns(r, dones, 0.5, last_value=2.0)
    np.testing.assert_allclose(gae(r, v, dones, 2.0, 0.5, 1.0), mc - v)


@pytest.mark.parametrize(
    "ratio, adv, expected",
    [
        (1.5, 2.0, -1.2 * 2.0),  # beyond 1 + clip in the favoured direction: clipped
        (0.5, 2.0, -0.5 * 2.0),  # below 1 - clip with A > 0: the unclipped (smaller) term
        (0.5, -2.0, 0.8 * 2.0),  # below 1 - clip with A < 0: clipped
        (1.5, -2.0, 1.5 * 2.0),  # above 1 + clip with A < 0: the unclipped (worse) term
        (1.1, 2.0, -1.1 * 2.0),  # inside the range: plain ratio * A
    ],
)
def test_clipped_surrogate_by_hand(ratio, adv, expected):
    old = torch.tensor([0.0])
    logp = torch.tensor([math.log(ratio)], requires_grad=True)
    loss = clipped_surrogate(logp, old, torch.tensor([adv]), clip=0.2)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    loss.backward()
    clipped = ratio > 1.2 and adv > 0 or ratio < 0.8 and adv < 0
    assert (logp.grad.item() == 0.0) == clipped


def test_log_prob_is_that_of_the_chosen_action():
    policy = Policy(obs_dim=2, hidden=4, n_actions=3)
    logits = torch.tensor([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]])
    dist = torch.distributions.Categorical(logits=logits)
    logp = policy.log_prob(dist, torch.tensor([2, 0]))
    z0 = math.log(1 + math.e + math.e**2)
    z1 = math.log(math.e**3 + 2)
    np.testing.assert_allclose(logp.numpy(), [2.0 - z0, 3.0 - z1], rtol=1e-6)


def test_reinforce_gradient_raises_only_the_chosen_action():
    # pi = softmax([0, 0]); action 1 taken with weight 2: d(loss)/d(logits) = -w (onehot - pi) = [1, -1]
    logits = torch.zeros(1, 2, requires_grad=True)
    policy = Policy(obs_dim=1, hidden=4, n_actions=2)
    logp = policy.log_prob(torch.distributions.Categorical(logits=logits), torch.tensor([1]))
    loss = policy_gradient_loss(logp, torch.tensor([2.0]))
    assert loss.item() == pytest.approx(2.0 * math.log(2.0))
    loss.backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[1.0, -1.0]])


def test_gaussian_log_prob_sums_over_action_dimensions():
    policy = Policy(obs_dim=3, hidden=4, action_dim=2)
    dist = policy.dist(torch.zeros(1, 3))
    action = torch.tensor([[0.5, -1.0]])
    mean = dist.mean[0].detach().numpy()
    expected = sum(-0.5 * (a - m) ** 2 - 0.5 * math.log(2 * math.pi) for a, m in zip([0.5, -1.0], mean))
    assert policy.log_prob(dist, action).item() == pytest.approx(expected, rel=1e-5)


def test_linear_policy_thresholds_two_actions_and_takes_the_argmax_of_more():
    obs = np.array([[1.0, -2.0], [1.0, 2.0]])
    w2 = np.array([[[1.0, 1.0]], [[1.0, 1.0]]])  # w . obs = -1 -> left, 3 -> right
    np.testing.assert_array_equal(linear_actions(w2, obs), [0, 1])
    w3 = np.broadcast_to(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]), (2, 3, 2))
    np.testing.assert_array_equal(linear_actions(w3, obs), [2, 1])
