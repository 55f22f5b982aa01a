"""Recipes: each builds a valid config of its plugin and opens its plugin with its values, from
the welcome page; DQN offers its Atari recipe when an Atari game is chosen."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from workbench.core.config import from_dict
from workbench.core.manifest import discover, find
from workbench.core.recipes import Recipe, parse_recipes, recipes_of
from workbench.qt.shell import MainWindow

RECIPES = [r for m in discover() for r in recipes_of(m)]


def test_the_promised_recipes_are_there():
    titles = {r.title for r in RECIPES}
    assert {
        "Cliff: SARSA vs Q-learning (Example 6.6)",
        "Maximization bias (Figure 6.5)",
        "10-armed testbed (Figure 2.2)",
        "VAE with β too strong",
        "DQN on Space Invaders",
    } <= titles


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r.title)
def test_each_recipe_builds_a_valid_config(recipe):
    cfg = from_dict(find(recipe.plugin).config_class(), recipe.values)
    assert all(getattr(cfg, k) == v for k, v in recipe.values.items())


def test_a_recipe_without_a_title_is_refused_naming_the_file():
    with pytest.raises(ValueError, match=r"x/recipes.toml: recipe 1 has no title"):
        parse_recipes("[[recipe]]\nvalues = { a = 1 }\n", "x", "x/recipes.toml")


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r.title)
def test_each_recipe_opens_its_plugin_with_its_values_from_the_welcome_page(qtbot, recipe):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    page = window.show_welcome()
    card = page.cards[recipe.plugin]
    button = next(b for b in card.recipe_buttons if b.text() == f"Try: {recipe.title}")
    button.click()
    panel = window.tabs.currentWidget()
    assert panel.manifest.id == recipe.plugin
    values = panel.values()
    assert {k: values[k] for k in recipe.values} == recipe.values


def test_choosing_an_atari_game_offers_the_atari_preset(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    panel = window.open_plugin("dqn")
    window.show()
    assert panel.values()["steps"] == panel.config_cls().steps and not panel.offer.isVisible()
    env = panel.form.fields["env"]
    env.clear()
    qtbot.keyClicks(env, "ALE/Pong-v5")
    qtbot.keyClick(env, QtCore.Qt.Key.Key_Return)
    assert panel.offer.isVisible() and "Atari needs millions of steps" in panel.offer_text.text()
    panel.offer_button.click()
    values = panel.values()
    assert values["env"] == "ALE/Pong-v5"  # the game chosen stays
    assert values["steps"] == 2_000_000 and values["num_envs"] == 16 and not panel.offer.isVisible()


def test_a_recipe_of_another_algorithm_opens_with_that_algorithms_defaults(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    panel = window.open_plugin("policy-gradient")
    panel.form.set_values({"gamma": 0.9})  # left over from an earlier look: the recipe's defaults win
    panel = window.open_recipe(Recipe("policy-gradient", "A2C on CartPole", "", {"algo": "a2c"}))
    values = panel.values()
    assert (values["algo"], values["gamma"], values["lam"]) == ("a2c", 0.99, 0.95)
