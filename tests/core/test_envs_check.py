"""Environment ids are checked before a run starts, with close matches suggested."""

from __future__ import annotations

import pytest

from workbench.core.envs import check_env_id


def test_known_ids_pass_including_atari_and_our_own():
    check_env_id("CartPole-v1")
    check_env_id("ALE/SpaceInvaders-v5")
    check_env_id("workbench/WindyGridworld-v0")


def test_unknown_id_names_it_and_suggests():
    with pytest.raises(ValueError, match=r"unknown environment id 'CartPole-v9'; did you mean CartPole-v"):
        check_env_id("CartPole-v9")
