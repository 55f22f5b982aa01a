"""``workbench install-desktop``: a menu entry and icons under the user's data folder, so the app
starts from the desktop's launcher like any other; ``--uninstall`` takes them away again."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from workbench.core.assets import APP_ICON, ICON_SIZES, icon_path

DESKTOP_ID = "workbench"
COMMENT = "Watch deep RL agents and generative models learn, live"


def desktop_entry(command: str) -> str:
    """The freedesktop entry that starts ``command``; packaging/linux/workbench.desktop is this with
    ``workbench`` as the command."""
    exec_ = f'"{command}"' if " " in command else command
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Name=Workbench",
            f"Comment={COMMENT}",
            f"Exec={exec_}",
            f"Icon={APP_ICON}",
            "Terminal=false",
            "Categories=Science;ArtificialIntelligence;",
            "Keywords=reinforcement learning;deep learning;PyTorch;GAN;VAE;diffusion;",
            "",
        ]
    )


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` as the freedesktop base-directory spec says."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def workbench_command() -> Path:
    """The installed ``workbench`` launcher: the standalone app itself, else the script that sits
    next to this interpreter (a venv or pipx install), else the one on PATH."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable)
    script = Path(sys.executable).parent / "workbench"
    if script.is_file():
        return script
    found = shutil.which("workbench")
    if found is None:
        raise ValueError(f"no `workbench` script next to {sys.executable} or on PATH; install the package first")
    return Path(found)


def installed_files(root: Path) -> dict[Path, Path | None]:
    """Each file install-desktop writes under ``root``, with the asset it copies (None: the entry)."""
    icons = root / "icons" / "hicolor"
    files: dict[Path, Path | None] = {
        root / "applications" / f"{DESKTOP_ID}.desktop": None,
        icons / "scalable" / "apps" / f"{APP_ICON}.svg": icon_path(),
    }
    for size in ICON_SIZES:
        files[icons / f"{size}x{size}" / "apps" / f"{APP_ICON}.png"] = icon_path(size=size)
    return files


def install(root: Path | None = None) -> list[Path]:
    root = root or data_home()
    entry = desktop_entry(str(workbench_command()))
    files = installed_files(root)
    for target, source in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(entry)
        else:
            shutil.copyfile(source, target)
    return list(files)


def uninstall(root: Path | None = None) -> list[Path]:
    removed = []
    for target in installed_files(root or data_home()):
        if target.exists():
            target.unlink()
            removed.append(target)
    return removed


def run(remove: bool) -> int:
    """The subcommand: say what was written or removed."""
    paths = uninstall() if remove else install()
    verb = "removed" if remove else "installed"
    for path in paths:
        print(f"{verb} {path}")
    if not paths:
        print("nothing to remove")
    return 0
