"""A settings file of the wrong shape, or with values a plugin no longer accepts, never stops the
app: the bad parts are dropped and named in one line on stderr, the rest is kept."""

from __future__ import annotations

import json

import pytest

from workbench.qt import settings
from workbench.qt.shell import MainWindow

GOOD_CONFIGS = {"td-control": {"episodes": 7}}


def write_settings(data) -> None:
    path = settings.home() / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "bad, named",
    [
        ({"configs": "x"}, "configs (str, not an object)"),
        ({"configs": {**GOOD_CONFIGS, "vae": "x"}}, "configs.vae (str, not an object)"),
        ({"geometry": 5}, "geometry (int, not text)"),
        ({"state": ["a"]}, "state (list, not text)"),
        ({"open": "td-control"}, "open (not a list of plugin names)"),
        ({"open": [1, 2]}, "open (not a list of plugin names)"),
    ],
)
def test_parts_of_the_wrong_shape_are_dropped_and_the_rest_kept(qtbot, capsys, bad, named):
    write_settings({"version": 1, "configs": GOOD_CONFIGS, "open": ["td-control"], **bad})
    window = MainWindow(device="cpu")  # reads the settings; must not raise
    qtbot.addWidget(window)
    err = capsys.readouterr().err
    assert named in err and len(err.strip().splitlines()) == 1
    kept = {k: v for k, v in {"configs": GOOD_CONFIGS, "open": ["td-control"]}.items() if k not in bad}
    assert {k: window.saved[k] for k in kept} == kept
    panel = window.open_plugin("td-control")
    assert panel is not None


def test_a_remembered_value_the_config_refuses_is_dropped_and_the_others_kept(qtbot, capsys):
    write_settings({"version": 1, "configs": {"td-control": {"algo": "nope", "episodes": 7, "gone": 1}}})
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    panel = window.open_plugin("td-control")
    values = panel.values()
    assert values["episodes"] == 7 and values["algo"] == panel.config_cls().algo
    err = capsys.readouterr().err
    assert "algo='nope' is not one of" in err and "'gone'" in err and len(err.strip().splitlines()) == 1


def test_good_settings_are_read_silently(capsys):
    write_settings({"version": 1, "configs": GOOD_CONFIGS, "geometry": "AA==", "open": ["td-control"]})
    assert settings.load()["configs"] == GOOD_CONFIGS
    assert capsys.readouterr().err == ""


def test_only_settings_changed_from_their_defaults_are_remembered(qtbot):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    panel = window.open_plugin("policy-gradient")
    panel.form.fields["algo"].setCurrentText("a2c")  # brings A2C's discount, a default: not remembered
    panel.form.fields["lr"].spin.setValue(0.002)
    window.close()
    assert settings.load()["configs"]["policy-gradient"] == {"algo": "a2c", "lr": 0.002}
    again = MainWindow(device="cpu")
    qtbot.addWidget(again)
    assert again.open_plugin("policy-gradient").values()["gamma"] == 0.99
    third = MainWindow(device="cpu")
    qtbot.addWidget(third)
    ppo = third.open_plugin("policy-gradient", {"algo": "ppo"})  # as `gui --set algo=ppo` opens it
    assert (ppo.values()["gamma"], ppo.values()["lr"]) == (0.98, 0.002)
