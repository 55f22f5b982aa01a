"""Workbench's own Gymnasium environments, registered under the ``workbench/`` namespace on import."""

from __future__ import annotations
