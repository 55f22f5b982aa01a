"""Installs the repo's ``plugins/`` folder as the ``workbench_plugins`` package, so built-in
plugins never collide with a bare top-level ``plugins`` import in site-packages."""

from setuptools import find_packages, setup

plugins = ["workbench_plugins"] + [f"workbench_plugins.{name}" for name in find_packages("plugins")]
setup(
    packages=find_packages(include=["workbench", "workbench.*"]) + plugins,
    package_dir={"workbench_plugins": "plugins"},
)
