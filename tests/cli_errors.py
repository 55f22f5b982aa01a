"""Test helper: a headless run with bad settings fails the way a user should see it."""

from __future__ import annotations

from pathlib import Path

from workbench.core.cli import main


def rejected(plugin_id: str, sets: list[str], out: Path, capsys) -> str:
    """``workbench run PLUGIN --out OUT --set ...`` must exit with code 2, print no traceback
    and write nothing; returns what it printed on stderr, for the caller to check the message."""
    args = ["run", plugin_id, "--out", str(out)]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists()
    return err
