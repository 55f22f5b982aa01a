"""Character-level language modelling with truncated backpropagation through time (char-rnn).

The training text is read as ``batch_size`` side-by-side streams, ``bptt`` characters at a time.
The hidden state after one chunk starts the next chunk of the same streams, detached so gradients
stop at the chunk edge; it is reset to zero at the start of every pass over the text. The
checkpoint holds that carried state, so a resumed run continues exactly where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import numpy as np
import torch
from torch.nn import functional as F

from workbench.core.driver import RunContext
from workbench.core.seeding import seed_everything
from workbench.core.snapshot import Snapshot
from workbench_plugins.sequence.charnames import bar_index
from workbench_plugins.sequence.config import Config
from workbench_plugins.sequence.corpus import Vocabulary, load_text, split, streams
from workbench_plugins.sequence.model import CharRNN, Hidden, bits_per_character, detach, next_probabilities, sample
from workbench_plugins.sequence.render import text_image

TOP_K = 8  # characters in the next-character bars
HELD_STREAMS = 16  # the held-out text is read as this many streams, in bptt chunks
SHOWN_UNITS = 64  # hidden units in the hidden-state view


def chunk_loss(model: CharRNN, x: torch.Tensor, y: torch.Tensor, hidden: Hidden) -> tuple[torch.Tensor, Hidden]:
    """Mean cross-entropy (nats per character) of predicting ``y`` from ``x``, and the state after."""
    logits, hidden, _ = model(x, hidden)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)), hidden


@torch.no_grad()
def held_out_loss(model: CharRNN, held: torch.Tensor, bptt: int) -> float:
    """Mean cross-entropy over the whole held-out text, read in chunks with the state carried."""
    hidden, total, count = model.zero_state(held.shape[0], held.device), 0.0, 0
    for t in range(0, held.shape[1] - 1, bptt):
        x, y = held[:, t : t + bptt], held[:, t + 1 : t + bptt + 1]
        x = x[:, : y.shape[1]]
        loss, hidden = chunk_loss(model, x, y, hidden)
        total, count = total + loss.item() * y.numel(), count + y.numel()
    return total / count


def top_characters(probs: torch.Tensor, vocab: Vocabulary, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` likeliest next characters' probabilities, likeliest first, and the indices of
    their names in the bars' labels."""
    values, ids = probs.topk(min(k, len(probs)))
    names = np.array([bar_index(vocab.chars[i]) for i in ids.tolist()], dtype=np.int64)
    return values.cpu().numpy().astype(np.float32), names


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # TRY NOT TO MODIFY: seeding
    seed_everything(cfg.seed, cfg.threads)
    device = torch.device(ctx.device)
    sampler = torch.Generator().manual_seed(cfg.seed)  # samples never move the training generator

    # data: the text as character ids, training streams and the held-out tail
    text = load_text(cfg.text)
    vocab = Vocabulary.of(text)
    train_ids, held_ids = split(vocab.encode(text), cfg.held_out)
    data = torch.from_numpy(streams(train_ids, cfg.batch_size)).to(device)
    held = torch.from_numpy(streams(held_ids, min(HELD_STREAMS, max(1, len(held_ids) // (cfg.bptt + 1))))).to(device)
    chunks = (data.shape[1] - 1) // cfg.bptt  # chunks per pass over the text (Config.check: at least one)

    # model, optimiser, carried state
    model = CharRNN(len(vocab), cfg.embed, cfg.hidden, cfg.layers, cfg.cell, cfg.dropout).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    hidden, step = model.zero_state(cfg.batch_size, device), 0
    if ctx.resume is not None:
        model.load_state_dict(ctx.resume["model"])
        optimizer.load_state_dict(ctx.resume["optimizer"])
        step = int(ctx.resume["step"])
        saved = ctx.resume["hidden"]
        hidden = tuple(h.to(device) for h in saved) if isinstance(hidden, tuple) else saved.to(device)
        torch.set_rng_state(ctx.resume["torch_rng"])
        sampler.set_state(ctx.resume["sampler_rng"])
    ctx.keep_state(
        lambda: {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "hidden": hidden,
            "torch_rng": torch.get_rng_state(),
            "sampler_rng": sampler.get_state(),
        }
    )

    def shown() -> dict[str, np.ndarray]:
        """A sample from the prompt coloured by probability (one keeps its text large in the view),
        the next-character bars, and the hidden states over the sample."""
        model.eval()
        prompt = vocab.encode(cfg.prompt)
        prompt = torch.from_numpy(prompt if len(prompt) else train_ids[:1]).to(device)
        with torch.no_grad():
            logits, _, _ = model(prompt[None], model.zero_state(1, device))
        bars, names = top_characters(next_probabilities(logits[0, -1], cfg.temperature), vocab, TOP_K)
        ids, probs, outs = sample(model, prompt, cfg.sample_length, cfg.temperature, sampler)
        model.train()
        block = (vocab.decode(prompt.tolist()), vocab.decode(ids.tolist()), probs.cpu().numpy())
        return {
            "samples": text_image([block]),
            "next_char": bars,
            "next_char_names": names,
            "hidden_states": outs[:, :SHOWN_UNITS].T.cpu().numpy(),
        }

    def measured() -> dict[str, float]:
        model.eval()
        loss = held_out_loss(model, held, cfg.bptt)
        model.train()
        return {"heldout_loss": loss, "heldout_bpc": bits_per_character(loss)}

    # a resumed run measured this step before its checkpoint: logging it again would repeat a row
    yield Snapshot(step, scalars=measured() if ctx.resume is None else {}, arrays=shown(), progress=step / cfg.steps)
    cfg = ctx.config
    while step < cfg.steps:
        # ALGO LOGIC: one chunk of every stream; the state is reset at the start of each pass
        chunk = step % chunks
        if chunk == 0:
            hidden = model.zero_state(cfg.batch_size, device)
        t = chunk * cfg.bptt
        loss, hidden = chunk_loss(model, data[:, t : t + cfg.bptt], data[:, t + 1 : t + cfg.bptt + 1], hidden)
        hidden = detach(hidden)  # TRY NOT TO MODIFY: gradients stop at the chunk edge
        optimizer.zero_grad()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip if cfg.clip > 0 else math.inf)
        optimizer.step()
        step += 1

        # SNAPSHOT: losses every step; held-out loss every eval_every; samples every sample_every
        scalars = {"loss": loss.item(), "train_bpc": bits_per_character(loss.item()), "grad_norm": grad_norm.item()}
        if step % cfg.eval_every == 0 or step == cfg.steps:
            scalars.update(measured())
        arrays = shown() if step % cfg.sample_every == 0 or step == cfg.steps else {}
        yield Snapshot(step, scalars=scalars, arrays=arrays, progress=step / cfg.steps)
        cfg = ctx.config
        for group in optimizer.param_groups:
            group["lr"] = cfg.lr
