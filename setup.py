"""Installs the repo's ``plugins/`` folder as the ``workbench_plugins`` package, so built-in
plugins never collide with a bare top-level ``plugins`` import in site-packages, and ``assets/``
as ``workbench_assets``, whose every folder is a package of data files that ship in the wheel."""

from setuptools import find_namespace_packages, find_packages, setup

plugins = ["workbench_plugins"] + [f"workbench_plugins.{name}" for name in find_packages("plugins")]
assets = ["workbench_assets"] + [f"workbench_assets.{name}" for name in find_namespace_packages("assets")]
setup(
    packages=find_packages(include=["workbench", "workbench.*"]) + plugins + assets,
    package_dir={"workbench_plugins": "plugins", "workbench_assets": "assets"},
)
