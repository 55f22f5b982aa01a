"""The standalone folder app from ``make package`` starts, lists its plugins and trains, from
outside the repo: run by ``make package-check`` after a build, not by the default test run."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.package


def test_the_standalone_build_runs_from_outside_the_repo(root, tmp_path, smoke_app):
    app = root / "dist" / "workbench" / "workbench"
    if not app.is_file():
        pytest.fail(f"{app} is missing: run `make package` first")
    smoke_app(app, tmp_path)
