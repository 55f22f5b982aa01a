"""A small convnet classifier trained with Adam, and the CNN lens looking into it as it learns.

Every ``lens_every`` steps (and at once when the layer, feature or image changes) the lens
redraws: the layer's filters, the feature maps of one test image, the 9 test images that most
activate the chosen feature with their deconvnet projections (Zeiler & Fergus 2014), guided
backpropagation, Grad-CAM and CAM for the predicted class, and activation maximisation.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import torch
import torch.nn.functional as F

from workbench.core.driver import RunContext
from workbench.core.seeding import rng_state, set_rng_state
from workbench.core.snapshot import Snapshot
from workbench.data import load_images
from workbench.lens import render, views
from workbench_plugins.cnn_lens.config import Config
from workbench_plugins.cnn_lens.model import ConvNet

LENS_FIELDS = ("layer", "feature", "index", "dream_steps", "l2", "jitter", "blur")


def split(
    images: np.ndarray, labels: np.ndarray, test_fraction: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A seeded held-out split: train images, train labels, test images, test labels."""
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = max(1, round(test_fraction * len(images)))
    test, train_ = order[:n_test], order[n_test:]
    return tuple(
        torch.from_numpy(np.ascontiguousarray(a)) for a in (images[train_], labels[train_], images[test], labels[test])
    )


@torch.no_grad()
def evaluate(net: ConvNet, x: torch.Tensor, y: torch.Tensor, batch: int = 512) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``net`` on (x, y)."""
    loss = correct = 0.0
    for i in range(0, len(x), batch):
        logits = net(x[i : i + batch])
        loss += F.cross_entropy(logits, y[i : i + batch], reduction="sum").item()
        correct += (logits.argmax(1) == y[i : i + batch]).sum().item()
    return loss / len(x), correct / len(x)


def saliency_row(net: ConvNet, cfg: Config, image: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The test image, guided backpropagation, Grad-CAM and (with a GAP head) CAM for the predicted
    class, side by side with empty gaps (the view's background); and the class probabilities,
    which a bar chart shows beside the true class instead of as text drawn into the picture."""
    with torch.no_grad():
        probs = F.softmax(net(image[None]), dim=1)[0]
    pred = int(probs.argmax())
    panels = [
        render.unit(render.picture(render.as_numpy(image))),
        views.guided(net, image, pred),
        views.grad_cam_overlay(net, ConvNet.lens_layer(cfg.layer), image, pred),
    ]
    if cfg.head == "gap":  # CAM needs a global-average-pooling head; without one it has no panel
        panels.append(views.cam_overlay(net, ConvNet.lens_layer(cfg.depth), "fc", image, pred))
    return render.side_by_side(*(render.rgb(p) for p in panels)), render.as_numpy(probs)


def lens_arrays(net: ConvNet, cfg: Config, x_test: torch.Tensor, y_test: torch.Tensor) -> dict[str, np.ndarray]:
    """Every lens view for the chosen layer, feature and test image."""
    layer = ConvNet.lens_layer(cfg.layer)
    i = cfg.index % len(x_test)
    top9, _ = views.top9(net, layer, x_test[: cfg.probe], cfg.feature)
    saliency, probs = saliency_row(net, cfg, x_test[i])
    dream = views.maximised(
        net,
        f"features.conv{cfg.layer}",
        cfg.feature,
        tuple(x_test.shape[1:]),
        steps=cfg.dream_steps,
        l2=cfg.l2,
        jitter=cfg.jitter,
        blur_every=4 if cfg.blur > 0 else 0,
        blur_sigma=cfg.blur,
    )
    return {
        "filters": views.filters(net, f"features.conv{cfg.layer}", cfg.feature),
        "feature_maps": views.feature_maps(net, layer, x_test[i], mark=cfg.feature),
        "top9": top9,
        "saliency": saliency,
        "class_probs": probs,
        "true_class": np.eye(len(probs), dtype=np.float32)[int(y_test[i])],  # a bar of 1 at the true class
        "maximised": dream,
    }


def train(cfg: Config, ctx: RunContext) -> Generator[Snapshot, None, None]:
    # seeding
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    batches = torch.Generator().manual_seed(cfg.seed)
    # data: a held-out split of the chosen image set
    images, labels = load_images(cfg.data, cfg.size, cfg.images or None, cfg.seed, cfg.channels)
    if (labels < 0).any():
        raise ValueError(
            f"data={cfg.data!r} has images without a class; the classifier needs labels "
            "(an IDX labels file, y in the .npz, or one subfolder per class)"
        )
    classes = int(labels.max()) + 1
    x_train, y_train, x_test, y_test = split(images, labels, cfg.test_fraction, cfg.seed)
    x_train, y_train, x_test, y_test = (t.to(ctx.device) for t in (x_train, y_train, x_test, y_test))
    # network
    net = ConvNet(cfg.channels, classes, cfg.size, cfg.depth, cfg.head).to(ctx.device)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    start = 0
    if ctx.resume is not None:
        net.load_state_dict(ctx.resume["model"])
        opt.load_state_dict(ctx.resume["optim"])
        start = int(ctx.resume["step"])
        batches.set_state(ctx.resume["batches"])
        set_rng_state(ctx.resume["rng"])
    step = start
    ctx.keep_state(
        lambda: {
            "model": net.state_dict(),
            "optim": opt.state_dict(),
            "step": step,
            "batches": batches.get_state(),
            "rng": rng_state(),
        }
    )
    lens_due = True
    for step in range(start + 1, cfg.steps + 1):
        # ALGO LOGIC: one minibatch of cross-entropy with Adam
        idx = torch.randint(len(x_train), (cfg.batch_size,), generator=batches).to(ctx.device)
        logits = net(x_train[idx])
        loss = F.cross_entropy(logits, y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        scalars = {"loss": loss.item(), "accuracy": (logits.argmax(1) == y_train[idx]).float().mean().item()}
        if step % cfg.eval_every == 0 or step == cfg.steps:
            scalars["test_loss"], scalars["test_accuracy"] = evaluate(net, x_test, y_test)
        # LENS: redraw at its rate, or at once when what it looks at changed
        arrays = {}
        if cfg.lens_every and (lens_due or step % cfg.lens_every == 0):
            arrays = lens_arrays(net, cfg, x_test, y_test)
            lens_due = False
        yield Snapshot(step, scalars=scalars, arrays=arrays, progress=step / cfg.steps)
        new = ctx.config
        if new is not cfg:
            lens_due = lens_due or any(getattr(new, k) != getattr(cfg, k) for k in LENS_FIELDS)
            cfg = new
            for group in opt.param_groups:
                group["lr"] = cfg.lr
