"""The trainer side never needs Qt: importing the core and running the CLI loads no PySide6."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_qt():
    code = (
        "import sys, workbench.core.driver, workbench.core.cli, workbench.core.manifest;"
        "m = workbench.core.manifest.discover(); workbench.core.manifest.with_import_errors(m);"
        "bad = [n for n in sys.modules if n.startswith(('PySide6', 'pyqtgraph', 'workbench.qt'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_listing_plugins_imports_no_torch():
    code = (
        "import sys, workbench.core.manifest as m; m.with_import_errors(m.discover());"
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_a_numpy_trainer_runs_without_importing_torch():
    code = (
        "import sys; from workbench.core.driver import Run; from workbench.core.manifest import find;"
        "from workbench.core.cli import build_config; m = find('bandit');"
        "s = Run(m, build_config(m, ['steps=50', 'runs=20']), device='auto').run();"
        "print(s.state, s.device); sys.exit(0 if s.state == 'finished' and 'torch' not in sys.modules else 1)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "finished cpu" in result.stdout
