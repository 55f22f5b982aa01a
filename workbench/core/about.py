"""What the About box says: the versions a bug report needs, and the device training runs on."""

from __future__ import annotations

from workbench import __version__
from workbench.core.device import resolve_device
from workbench.core.driver import package_versions

# (shown name, distribution name)
SHOWN = (("torch", "torch"), ("PySide6", "PySide6-Essentials"), ("gymnasium", "gymnasium"), ("ale-py", "ale-py"))


def device_name() -> str:
    """``cpu``, or the CUDA device's own name when torch sees a GPU."""
    if resolve_device("auto") == "cpu":
        return "cpu"
    import torch

    return f"cuda ({torch.cuda.get_device_name(0)})"


def about_lines() -> list[str]:
    versions = package_versions()
    lines = [f"Workbench {__version__}"]
    lines += [f"{shown} {versions.get(dist, 'not installed')}" for shown, dist in SHOWN]
    lines.append(f"Python {versions['python']}")
    lines.append(f"Device: {device_name()}")
    return lines
