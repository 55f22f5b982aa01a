"""Workbench: watch deep RL agents and generative models learn, and change them while they do."""

import importlib.metadata

__version__ = importlib.metadata.version("workbench")  # pyproject.toml's version, the only one
