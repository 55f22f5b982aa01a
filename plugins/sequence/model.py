"""A character-level recurrent language model (Karpathy's char-rnn in PyTorch) and its sampler.

Embedding -> LSTM or GRU layers -> a linear layer giving logits of the next character.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

Hidden = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # GRU: h; LSTM: (h, c)


def bits_per_character(loss: float) -> float:
    """Cross-entropy in nats per character, as bits: divide by ln 2."""
    return loss / math.log(2.0)


def detach(hidden: Hidden) -> Hidden:
    """The same state cut from the graph: truncated BPTT stops gradients at the chunk edge."""
    return tuple(h.detach() for h in hidden) if isinstance(hidden, tuple) else hidden.detach()


class CharRNN(nn.Module):
    """``dropout`` applies to the embeddings, between recurrent layers and before the output layer
    (Zaremba et al., 2014: never on the recurrent connections), in training mode only."""

    def __init__(self, vocab: int, embed: int, hidden: int, layers: int, cell: str, dropout: float = 0.0) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn(embed, hidden, num_layers=layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab)

    def zero_state(self, batch: int, device: torch.device | str) -> Hidden:
        h = torch.zeros(self.rnn.num_layers, batch, self.rnn.hidden_size, device=device)
        return (h, torch.zeros_like(h)) if isinstance(self.rnn, nn.LSTM) else h

    def forward(self, x: torch.Tensor, hidden: Hidden) -> tuple[torch.Tensor, Hidden, torch.Tensor]:
        """x: (batch, time) ids. Returns logits (batch, time, vocab), the state after the last
        character, and the last layer's outputs h_t (batch, time, hidden)."""
        out, hidden = self.rnn(self.drop(self.embed(x)), hidden)
        return self.head(self.drop(out)), hidden, out


def next_probabilities(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T); at T = 0 all the mass on the likeliest character (the limit T -> 0)."""
    if temperature <= 0.0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype)
    return F.softmax(logits / temperature, dim=-1)


@torch.no_grad()
def sample(
    model: CharRNN, prompt: torch.Tensor, length: int, temperature: float, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Continue ``prompt`` (1-D ids, at least one) by ``length`` characters drawn one at a time.

    Returns the drawn ids (length,), the probability the model (at temperature 1) gave each drawn
    character (length,), and the last layer's hidden state over prompt and sample (prompt + length, hidden).
    """
    device = prompt.device
    logits, hidden, states = model(prompt[None], model.zero_state(1, device))
    last, outs, ids, probs = logits[0, -1], [states[0]], [], []
    for _ in range(length):
        p = next_probabilities(last, temperature)
        nxt = torch.multinomial(p, 1, generator=generator) if temperature > 0.0 else last.argmax()[None]
        ids.append(nxt)
        probs.append(F.softmax(last, dim=-1)[nxt])
        logits, hidden, states = model(nxt[None], hidden)
        last = logits[0, -1]
        outs.append(states[0])
    return torch.cat(ids), torch.cat(probs), torch.cat(outs)
