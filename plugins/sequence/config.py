"""Character-level language model settings: the text, the recurrent cell, truncated BPTT, and
the live sampling controls (temperature, prompt, how often samples refresh)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, param
from workbench_plugins.sequence.corpus import load_text


@dataclass
class Config(Schema):
    text: str = param(
        "shakespeare", "text to learn: shakespeare (four tragedies, shipped) or a UTF-8 text file", path=True
    )
    cell: str = param(
        "lstm", "recurrent cell: lstm (Hochreiter & Schmidhuber) or gru (Cho et al.)", choices=("lstm", "gru")
    )
    hidden: int = param(256, "units in each recurrent layer", lo=8, hi=2048)
    layers: int = param(1, "stacked recurrent layers", lo=1, hi=4)
    dropout: float = param(
        0.2,
        "dropout on the embeddings, between layers and before the output layer (fights memorising the text)",
        lo=0.0,
        hi=0.9,
    )
    embed: int = param(64, "size of each character's embedding", lo=4, hi=1024)
    bptt: int = param(
        64,
        "truncated backpropagation through time: characters per chunk (gradients stop "
        "at chunk edges; the hidden state carries on)",
        lo=2,
        hi=2048,
    )
    batch_size: int = param(32, "text streams read side by side", lo=1, hi=1024)
    lr: float = param(3e-3, "Adam learning rate", lo=1e-5, hi=1e-1, log=True, live=True)
    clip: float = param(5.0, "clip the gradient norm to this (0: no clipping)", lo=0.0, hi=100.0)
    steps: int = param(3000, "gradient steps (one chunk of every stream each)", lo=1, hi=10_000_000)
    temperature: float = param(
        0.8,
        "sampling temperature: 0 always picks the likeliest character, 1 samples the model as it is, higher is wilder",
        lo=0.0,
        hi=2.0,
        live=True,
    )
    prompt: str = param("My lord, ", "text the samples start from (characters the text lacks are skipped)", live=True)
    sample_every: int = param(
        100, "gradient steps between new samples, probability bars and hidden states", lo=1, hi=100_000, live=True
    )
    sample_length: int = param(200, "characters generated per sample", lo=16, hi=2000)
    eval_every: int = param(100, "gradient steps between measurements on the held-out text", lo=1, hi=100_000)
    held_out: float = param(
        0.1, "share of the text (its end) kept for the held-out loss", lo=0.01, hi=0.5, group="advanced"
    )
    seed: int = param(0, "random seed", lo=0)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")

    def check(self) -> None:
        per_stream = int(len(load_text(self.text)) * (1.0 - self.held_out)) // self.batch_size
        if per_stream < self.bptt + 1:
            raise ValueError(
                f"text={self.text!r} gives {per_stream} training characters per stream, fewer than "
                f"bptt + 1 = {self.bptt + 1}: lower batch_size or bptt"
            )
