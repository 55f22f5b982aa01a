"""DDPM settings: the data, the UNet's size, the noise schedule, training, and the samplers."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.config import Schema, one_of, param
from workbench.data import DATASETS, check_source

SEED_STRIP = "999,700,550,400,300,200,100,50,15,0"


LINEAR = one_of("schedule", "linear")
CONDITIONAL = one_of("conditional", True)
DDIM = one_of("sampler", "ddim")


@dataclass
class Config(Schema):
    data: str = param(
        "digits", f"image set: {', '.join(DATASETS)}, or a path to an IDX/.npz file or image folder", path=True
    )
    size: int = param(16, "image side in pixels (a multiple of 4)", lo=8, hi=64)
    channels: int = param(1, "1 gray, 3 colour", choices=(1, 3))
    width: int = param(16, "UNet channels at full resolution (a multiple of 8); doubles once deeper", lo=8, hi=256)
    attn_res: int = param(
        8, "side at which self-attention runs (size, size/2 or size/4; 0 for none)", lo=0, hi=64, group="advanced"
    )
    dropout: float = param(0.0, "dropout inside residual blocks", lo=0.0, hi=0.5, group="advanced")
    schedule: str = param("linear", "noise schedule of the forward process", choices=("linear", "cosine"))
    timesteps: int = param(1000, "diffusion steps T", lo=10, hi=4000)
    beta_start: float = param(1e-4, "first beta of the linear schedule", lo=1e-6, hi=0.1, log=True, when=LINEAR)
    beta_end: float = param(0.02, "last beta of the linear schedule", lo=1e-4, hi=0.5, log=True, when=LINEAR)
    conditional: bool = param(False, "condition on the class label, with classifier-free guidance")
    p_uncond: float = param(
        0.1, "fraction of labels dropped in training (conditional only)", lo=0.0, hi=1.0, when=CONDITIONAL
    )
    steps: int = param(2000, "training steps", lo=1, hi=10_000_000)
    batch_size: int = param(32, "images per training step", lo=1, hi=1024)
    lr: float = param(1e-3, "Adam learning rate", lo=1e-6, hi=1e-2, log=True, live=True)
    ema_decay: float = param(
        0.995, "EMA decay of the weights used for sampling", lo=0.0, hi=0.99999, live=True, group="advanced"
    )
    sampler: str = param(
        "ddim", "reverse process: ancestral DDPM over all T steps, or DDIM", choices=("ddpm", "ddim"), live=True
    )
    sample_steps: int = param(50, "DDIM steps", lo=1, hi=4000, live=True, when=DDIM)
    eta: float = param(0.0, "DDIM noise: 0 deterministic, 1 as DDPM", lo=0.0, hi=1.0, live=True, when=DDIM)
    guidance: float = param(
        3.0,
        "classifier-free guidance scale (1 plain conditional, 0 unconditional)",
        lo=0.0,
        hi=10.0,
        live=True,
        when=CONDITIONAL,
    )
    sample_every: int = param(
        250, "training steps between sample grids from fixed noise", lo=1, hi=1_000_000, live=True
    )
    samples: int = param(64, "images in the sample grid (scored as a batch)", lo=1, hi=256)
    strip: str = param(SEED_STRIP, "timesteps shown in the reverse strip, comma separated")
    forward_t: int = param(500, "t shown in the forward-process view", lo=0, hi=3999, live=True)
    forward_image: int = param(0, "index of the training image shown in the forward-process view", lo=0, live=True)
    threads: int = param(1, "torch CPU threads", lo=1, hi=64, group="advanced")
    seed: int = param(0, "random seed", lo=0)

    def check(self) -> None:
        check_source(self.data)
        if self.size % 4:
            raise ValueError(f"size={self.size!r} must be a multiple of 4 (the UNet halves it twice)")
        if self.width % 8:
            raise ValueError(f"width={self.width!r} must be a multiple of 8 (group norm uses 8 groups)")
        sides = (self.size, self.size // 2, self.size // 4)
        if self.attn_res not in (0, *sides):
            raise ValueError(
                f"attn_res={self.attn_res!r} must be 0 or one of the UNet's sides {sides} for size={self.size}"
            )
        if self.schedule == "linear" and self.beta_start >= self.beta_end:
            raise ValueError(f"beta_start={self.beta_start!r} must be below beta_end={self.beta_end!r}")
        if self.sample_steps > self.timesteps:
            raise ValueError(f"sample_steps={self.sample_steps!r} must be at most timesteps={self.timesteps!r}")
        if self.forward_t >= self.timesteps:
            raise ValueError(f"forward_t={self.forward_t!r} must be below timesteps={self.timesteps!r}")
        strip_timesteps(self.strip, self.timesteps)


def strip_timesteps(text: str, timesteps: int) -> list[int]:
    """Parse the reverse strip's timesteps, e.g. ``"999,500,0"``, in the order given."""
    try:
        ts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"strip={text!r} must be comma-separated integers such as {SEED_STRIP!r}") from None
    if not ts or any(not 0 <= t < timesteps for t in ts):
        raise ValueError(f"strip={text!r} must list timesteps between 0 and {timesteps - 1}")
    return ts
