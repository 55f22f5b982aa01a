"""The config schema validates values, parses --set strings and applies only live changes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workbench.core.config import Schema, apply_live, by_choice, from_dict, param, parse_sets, specs


@dataclass
class Cfg(Schema):
    lr: float = param(1e-3, "learning rate", lo=1e-5, hi=1.0, log=True, live=True)
    episodes: int = param(10, "episodes", lo=1, hi=100)
    algo: str = param("sarsa", "rule", choices=("sarsa", "q-learning"))
    render: bool = param(True, "render frames", live=True)
    seed: int = param(0, "seed", lo=0)


def test_specs_carry_metadata():
    by_name = {s.name: s for s in specs(Cfg)}
    assert by_name["lr"].log and by_name["lr"].live and by_name["lr"].type is float
    assert not by_name["episodes"].live
    assert by_name["algo"].choices == ("sarsa", "q-learning")


def test_parse_sets_converts_types():
    cfg = parse_sets(Cfg, ["lr=0.01", "episodes=5", "algo=q-learning", "render=false"])
    assert (cfg.lr, cfg.episodes, cfg.algo, cfg.render) == (0.01, 5, "q-learning", False)


def test_int_given_for_float_becomes_float():
    assert isinstance(Cfg(lr=1).lr, float)


@pytest.mark.parametrize(
    "item, message",
    [
        ("nope=1", "unknown config key 'nope'; allowed: lr, episodes"),
        ("episodes=abc", "episodes='abc' is not a valid int"),
        ("episodes=1000", r"episodes=1000 is outside \[1, 100\]"),
        ("algo=dqn", "algo='dqn' is not one of: sarsa, q-learning"),
        ("lr=nan", "lr=nan must be finite"),
        ("render=maybe", "not a valid bool"),
        ("episodes", "must look like key=value"),
    ],
)
def test_bad_sets_name_the_problem(item, message):
    with pytest.raises(ValueError, match=message):
        parse_sets(Cfg, [item])


def test_apply_live_only_changes_live_fields():
    cfg = Cfg()
    assert apply_live(cfg, {"lr": 0.1}).lr == 0.1
    with pytest.raises(ValueError, match="'episodes' cannot change while training"):
        apply_live(cfg, {"episodes": 3})
    with pytest.raises(ValueError, match="outside"):
        apply_live(cfg, {"lr": 5.0})


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown config key 'zzz'"):
        from_dict(Cfg, {"zzz": 1})


@dataclass
class ByAlgo(Schema):
    algo: str = param("ppo", "rule", choices=("a2c", "ppo"))
    gamma: float = param(by_choice("algo", 0.99, {"ppo": 0.98}), "discount", lo=0.0, hi=1.0, live=True)


def test_a_default_by_choice_follows_the_choice_a_config_is_built_with():
    assert ByAlgo().gamma == 0.98 and ByAlgo(algo="a2c").gamma == 0.99
    assert parse_sets(ByAlgo, ["algo=a2c"]).gamma == 0.99
    assert from_dict(ByAlgo, {"algo": "a2c"}).gamma == 0.99


def test_a_value_given_for_a_default_by_choice_stays_even_when_it_is_another_choices_default():
    assert ByAlgo(gamma=0.99).gamma == 0.99 and parse_sets(ByAlgo, ["algo=a2c", "gamma=0.98"]).gamma == 0.98
    assert type(ByAlgo().gamma) is float  # the rule never reaches a trainer


def test_a_spec_gives_its_default_under_the_settings_given():
    gamma = {s.name: s for s in specs(ByAlgo)}["gamma"]
    assert gamma.default == 0.98  # under the class's own choice
    assert gamma.default_under({"algo": "a2c"}) == 0.99 and gamma.default_under(ByAlgo(algo="a2c")) == 0.99
    assert gamma.default_under({}) == 0.98
    assert gamma.rule is not None and gamma.rule.text() == "ppo 0.98, others 0.99 (by algo)"
