"""Where a run stands: its state and a status record, shared by ``Run``, ``ProcessRun`` and the panels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """The states of a run. ``STOPPING`` lasts from Stop to the trainer's next yield."""

    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """A trainer exists and has not ended."""
        return self in (State.STARTING, State.RUNNING, State.PAUSED, State.STOPPING)


@dataclass(frozen=True)
class Status:
    """A copy of where a run stands, for status lines and progress bars."""

    state: State
    step: int = 0
    steps_per_s: float = 0.0
    elapsed: float = 0.0
    device: str = ""
    progress: float | None = None
    message: str = ""

    @classmethod
    def starting(cls, message: str) -> Status:
        return cls(State.STARTING, message=message)

    @classmethod
    def failed(cls, message: str, last: Status | None = None) -> Status:
        """A failed run, keeping the step, time and device of its ``last`` known status."""
        if last is None:
            return cls(State.FAILED, message=message)
        return cls(State.FAILED, last.step, 0.0, last.elapsed, last.device, last.progress, message)
