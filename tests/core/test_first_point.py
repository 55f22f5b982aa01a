"""What comes before a run's first curve point: DQN's first episodes and the VAE's untrained
losses are reported before their optimiser is built, since torch's first optimiser imports
torch._dynamo (about as long as torch itself)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FIRST_ROW_PROBE = """
import json, sys
from workbench.core.cli import build_config
from workbench.core.driver import Run
from workbench.core.manifest import find
from workbench.core.sinks import Sink

class FirstRow(Sink):
    dynamo = None
    def write(self, snap):
        if snap.scalars and self.dynamo is None:
            self.dynamo = "torch._dynamo" in sys.modules

m, sink = find(sys.argv[2]), FirstRow()
cfg = build_config(m, json.loads(sys.argv[3]))
Run(m, cfg, device="cpu", out_dir=sys.argv[1], sinks=[sink], max_steps=1).run()
print("first row", sink.dynamo, "end", "torch._dynamo" in sys.modules)
"""


@pytest.mark.parametrize(
    ("plugin", "sets"), [("dqn", ["env=CartPole-v1"]), ("vae", ["data=digits", "n=256", "hidden=64"])]
)
def test_the_first_point_comes_before_importing_torch_dynamo(tmp_path, plugin, sets):
    result = subprocess.run(
        [sys.executable, "-c", FIRST_ROW_PROBE, str(tmp_path / "run"), plugin, json.dumps(sets)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "first row False end True" in result.stdout  # the checkpoint at the end builds the optimiser
