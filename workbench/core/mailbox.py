"""A one-slot, never-blocking channel from the GUI (or a script) to a running trainer."""

from __future__ import annotations

import threading
from typing import Any


class Mailbox:
    """Pending live changes, merged by key until the trainer takes them.

    ``put`` never blocks and never loses a key: two slider moves between trainer steps
    arrive together, the later value of the same key winning.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}

    def put(self, **changes: Any) -> None:
        with self._lock:
            self._pending.update(changes)

    def take(self) -> dict[str, Any] | None:
        """Return and clear the pending changes, or None when there are none."""
        with self._lock:
            if not self._pending:
                return None
            pending, self._pending = self._pending, {}
            return pending
