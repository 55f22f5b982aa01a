"""What comes before a run's first curve point: DQN's first episodes are acted and reported
before its optimiser is built, since torch's first optimiser imports torch._dynamo (about as
long as torch itself)."""

from __future__ import annotations

import subprocess
import sys

FIRST_ROW_PROBE = """
import sys
from workbench.core.cli import build_config
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import Sink

class FirstRow(Sink):
    dynamo = None
    def write(self, snap):
        if snap.scalars and self.dynamo is None:
            self.dynamo = "torch._dynamo" in sys.modules

m, sink = find("dqn"), FirstRow()
Run(m, build_config(m, ["env=CartPole-v1"]), device="cpu", out_dir=sys.argv[1], sinks=[sink], max_steps=1).run()
print("first row", sink.dynamo, "end", "torch._dynamo" in sys.modules)
"""


def test_dqn_reports_its_first_episode_before_importing_torch_dynamo(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", FIRST_ROW_PROBE, str(tmp_path / "run")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "first row False end True" in result.stdout  # the checkpoint at the end builds the optimiser
