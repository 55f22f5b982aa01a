"""Character-level text generation: the sampler's limit at temperature 0, bits per character,
refused text files, a falling loss, and a resumed run that repeats a straight one exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from trainers import collect

from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import HistorySink
from workbench_plugins.sequence import render
from workbench_plugins.sequence.charnames import BAR_NAMES, bar_index
from workbench_plugins.sequence.config import Config
from workbench_plugins.sequence.corpus import Vocabulary, load_text
from workbench_plugins.sequence.model import CharRNN, bits_per_character, next_probabilities, sample
from workbench_plugins.sequence.trainer import train

VERSE = (
    "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n"
    "The slings and arrows of outrageous fortune,\nOr to take arms against a sea of troubles\n"
)


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "verse.txt"
    path.write_text(VERSE * 12, encoding="utf-8")  # ~2,000 characters: a pass is a few chunks
    return path


def tiny(path, **changes) -> Config:
    values = {
        "text": str(path),
        "hidden": 32,
        "embed": 16,
        "batch_size": 4,
        "bptt": 32,
        "steps": 20,
        "sample_every": 10,
        "eval_every": 5,
        "sample_length": 20,
        "lr": 1e-2,
    }
    return Config(**{**values, **changes})


def greedy(model: CharRNN, prompt: torch.Tensor, length: int) -> list[int]:
    """The likeliest character at every step, feeding the whole text back in each time."""
    ids = prompt.tolist()
    with torch.no_grad():
        for _ in range(length):
            logits, _, _ = model(torch.tensor([ids]), model.zero_state(1, "cpu"))
            ids.append(int(logits[0, -1].argmax()))
    return ids[len(prompt) :]


def test_sampling_at_temperature_zero_and_its_limit_pick_the_argmax():
    torch.manual_seed(0)
    model = CharRNN(vocab=12, embed=8, hidden=16, layers=2, cell="lstm")
    prompt = torch.tensor([3, 1, 4])
    expected = greedy(model, prompt, 25)
    for temperature in (0.0, 1e-4):
        ids, _, _ = sample(model, prompt, 25, temperature, torch.Generator().manual_seed(1))
        assert ids.tolist() == expected
    logits = torch.tensor([0.3, 2.0, -1.0, 1.9])
    assert next_probabilities(logits, 0.0).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert torch.allclose(next_probabilities(logits, 1e-3), next_probabilities(logits, 0.0), atol=1e-6)
    assert not torch.allclose(next_probabilities(logits, 1.0), next_probabilities(logits, 0.0), atol=0.1)


def test_bits_per_character_are_the_loss_over_ln_2(text_file):
    assert bits_per_character(math.log(2.0)) == pytest.approx(1.0)
    assert bits_per_character(math.log(64.0)) == pytest.approx(6.0)  # uniform over 64 characters
    snaps = collect(train, tiny(text_file, steps=10))
    pairs = [("loss", "train_bpc"), ("heldout_loss", "heldout_bpc")]
    checked = [
        s.scalars[b] == pytest.approx(s.scalars[a] / math.log(2.0)) for s in snaps for a, b in pairs if a in s.scalars
    ]
    assert len(checked) > 10 and all(checked)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 100, "binary"),
        ("caf\u00e9 ".encode("latin-1") * 300, "is not UTF-8"),
        (b"too short", "at least 1,000"),
    ],
)
def test_unusable_text_files_are_refused_before_the_run(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=reason) as err:
        Config(text=str(path))
    assert "\n" not in str(err.value)


def test_a_text_too_short_for_its_streams_is_refused(text_file):
    with pytest.raises(ValueError, match="per stream, fewer than bptt \\+ 1 = 65"):
        Config(text=str(text_file), batch_size=32, bptt=64)


def test_a_missing_file_is_refused_naming_the_shipped_texts(tmp_path):
    with pytest.raises(ValueError, match="neither a shipped text \\(shakespeare\\) nor a file"):
        Config(text=str(tmp_path / "nothing.txt"))


def test_the_shipped_text_loads_and_a_prompt_keeps_only_its_known_characters():
    text = load_text(Config().text)
    assert len(text) > 500_000 and text.startswith("Hamlet\n")
    vocab = Vocabulary.of("abc ")
    assert vocab.decode(vocab.encode("a\u00e9b c")) == "ab c"


def test_a_tiny_run_learns_the_text(text_file):
    snaps = collect(train, tiny(text_file, steps=80))
    losses = [s.scalars["loss"] for s in snaps if "loss" in s.scalars]
    held = [s.scalars["heldout_bpc"] for s in snaps if "heldout_bpc" in s.scalars]
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:5])
    assert held[-1] < held[0] - 1.0
    last = [s for s in snaps if "samples" in s.arrays][-1].arrays
    assert last["samples"].dtype == np.float32 and last["samples"].shape[2] == 3
    assert last["next_char"].shape == (8,) and np.all(np.diff(last["next_char"]) <= 0)
    named = [BAR_NAMES[i] for i in last["next_char_names"]]
    assert len(set(named)) == 8 and set(named) <= {BAR_NAMES[bar_index(c)] for c in VERSE}
    assert last["hidden_states"].shape[0] == 32  # units by characters


def test_a_resumed_run_repeats_the_losses_of_a_straight_run(text_file, tmp_path):
    """The checkpoint holds the hidden state carried between chunks (and the optimiser, the step
    and the generators): stopped mid-pass and resumed, the run logs the very same losses, across
    the reset at the start of the second pass (a pass is 14 chunks here)."""
    cfg = tiny(text_file, steps=20)
    straight = HistorySink()
    assert Run(find("sequence"), cfg, device="cpu", out_dir=tmp_path / "a", sinks=[straight]).run().state == "finished"
    first = Run(find("sequence"), cfg, device="cpu", out_dir=tmp_path / "b", max_steps=5)
    assert first.run().step == 5
    resumed = HistorySink()
    second = Run(
        find("sequence"), cfg, device="cpu", out_dir=tmp_path / "b", sinks=[resumed], resume_from=tmp_path / "b"
    )
    assert second.run().state == "finished", second.error
    steps, losses = resumed.read("loss")
    assert steps.tolist() == list(range(6, 21))
    np.testing.assert_array_equal(losses, straight.read("loss")[1][5:])


def test_the_bars_name_characters_from_the_labels_plugin_toml_lists():
    view = next(v for v in find("sequence").views if v.options.get("labels_key") == "next_char_names")
    assert list(view.options["labels"]) == BAR_NAMES
    assert [BAR_NAMES[bar_index(c)] for c in "a \nZ\u00e9"] == ["a", "\u2423", "\u21b5", "Z", "other"]


def test_a_sample_picture_holds_only_its_characters_in_short_lines():
    """No caption or colour key written in small type: two lines of cells and the margins, no
    more; outside the cells no value (NaN), so the view shows the theme's background there."""
    picture = render.text_image([("My lord, ", "x" * 30, np.full(30, 0.5))])
    m, h, w = render.MARGIN, render.CELL_H, render.CELL_W
    assert picture.shape == (2 * m + 2 * h, 2 * m + render.COLS * w, 3)
    assert np.isnan(picture[:m]).all() and np.isnan(picture[m + h :, m + (39 - render.COLS) * w :]).all()
    assert not np.isnan(picture[m : m + 2 * h, m : m + (39 - render.COLS) * w]).any()
