"""Workbench: watch deep RL agents and generative models learn, and change them while they do."""

__version__ = "0.1.0"
