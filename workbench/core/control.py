"""The one interface to a run, whether it trains in this process (``Run``) or a child (``ProcessRun``).

Panels, the CLI and tests drive runs through it alone; the type checker holds both classes to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from workbench.core.status import Status


class RunControl(Protocol):
    """Controls are safe from any thread; ``run()`` blocks until the run ends."""

    cfg: Any
    out_dir: Path | None
    changes: list[dict[str, Any]]
    events: list[dict[str, Any]]
    error: str

    def run(self) -> Status: ...

    def stop(self) -> None: ...

    def pause(self) -> None: ...

    def unpause(self) -> None: ...

    def step_once(self) -> None: ...

    def request_checkpoint(self) -> None: ...

    def change(self, **values: Any) -> None: ...

    def act(self, name: str, **payload: Any) -> None: ...

    def status(self) -> Status: ...
