"""Workbench's built-in plugins, one folder each, installed as the ``workbench_plugins`` package."""
