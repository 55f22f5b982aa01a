"""Mutation check: break each lab's core step on purpose and show that its tests fail.

Each mutation replaces one exact piece of text in a fresh copy of the working tree's files, then
runs that lab's test files there with pytest (-x). A mutation whose tests all pass SURVIVED: the
tests would not notice that algorithm broken. Exit code 1 if any survived.

    python scripts/mutants.py                 # every mutation
    python scripts/mutants.py dqn-argmin ...  # only these
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_TIMEOUT_S = 180  # a mutant can make an episode endless: a test this slow counts as failed
PYTHON = REPO / ".venv" / "bin" / "python"
# the installed package names and the repo folders they come from (setup.py's package_dir)
PACKAGES = {"workbench": "workbench", "workbench_plugins": "plugins", "workbench_assets": "assets"}

LABS = {
    "vae": ["tests/plugins/test_vae.py"],
    "gan": ["tests/plugins/test_gan.py"],
    "ddpm": ["tests/plugins/test_ddpm.py"],
    "draw": ["tests/plugins/test_draw.py"],
    "cnn-lens": ["tests/plugins/test_cnn_lens.py"],
    "dqn": ["tests/plugins/test_dqn.py"],
    "policy-gradient": ["tests/plugins/test_policy_gradient.py", "tests/plugins/test_policy_gradient_math.py"],
    "td-control": ["tests/plugins/test_td_control.py"],
    "bandit": ["tests/plugins/test_bandit.py"],
    "gridworld-dp": ["tests/plugins/test_gridworld_dp.py"],
    "plugins": ["tests/core/test_plugins_smoke.py"],
    "gan-panel": ["tests/qt/test_panels.py::test_panel_starts_takes_a_live_change_and_stops[gan]"],
}


@dataclass(frozen=True)
class Mutation:
    name: str
    lab: str
    file: str
    old: str
    new: str


MUTATIONS = [
    # no optimiser step
    Mutation("vae-no-step", "vae", "plugins/vae/trainer.py", "optimizer().step()", "optimizer().zero_grad()"),
    Mutation("gan-no-generator-step", "gan", "plugins/gan/trainer.py", "opt_g.step()", "opt_g.zero_grad()"),
    Mutation("ddpm-no-step", "ddpm", "plugins/ddpm/trainer.py", "optimizer.step()", "optimizer.zero_grad()"),
    Mutation("draw-no-step", "draw", "plugins/draw/trainer.py", "optimizer.step()", "optimizer.zero_grad()"),
    Mutation("cnn-lens-no-step", "cnn-lens", "plugins/cnn_lens/trainer.py", "opt.step()", "opt.zero_grad()"),
    Mutation("dqn-no-step", "dqn", "plugins/dqn/trainer.py", "agent.optimizer.step()", "agent.optimizer.zero_grad()"),
    Mutation(
        "a2c-no-step",
        "policy-gradient",
        "plugins/policy_gradient/actor_critic.py",
        "grad_norm = self.optimise(policy_loss",
        "grad_norm = 0.0 and self.optimise(policy_loss",
    ),
    Mutation(
        "reinforce-no-step",
        "policy-gradient",
        "plugins/policy_gradient/reinforce.py",
        "grad_norm = self.optimise(policy_loss",
        "grad_norm = 0.0 and self.optimise(policy_loss",
    ),
    Mutation(
        "ppo-no-step",
        "policy-gradient",
        "plugins/policy_gradient/ppo.py",
        'sums["grad_norm"] += self.optimise(loss, cfg)',
        'sums["grad_norm"] += 0.0',
    ),
    # wrong target or loss
    Mutation("ddpm-predicts-x0", "ddpm", "plugins/ddpm/trainer.py", "model(xt, t, y), noise,", "model(xt, t, y), x0,"),
    Mutation(
        "vae-kl-not-optimised",
        "vae",
        "plugins/vae/trainer.py",
        "return recon + weight * kl, recon, kl, weight",
        "return recon + weight * kl.detach(), recon, kl, weight",
    ),
    Mutation(
        "dqn-online-bootstrap-no-max",
        "dqn",
        "plugins/dqn/model.py",
        "return q_target.max(dim=1).values",
        "return online(next_obs).mean(dim=1)",
    ),
    Mutation(
        "dqn-ignores-termination",
        "dqn",
        "plugins/dqn/replay.py",
        "discounts = np.where(done, 0.0, scale)",
        "discounts = scale",
    ),
    Mutation(
        "q-learning-sarsa-target",
        "td-control",
        "plugins/td_control/agents.py",
        "following = self.max_q(self.q, s2)",
        "following = self.q[s2, self.act(s2, rates.epsilon)]",
    ),
    Mutation(
        "value-iteration-mean",
        "gridworld-dp",
        "workbench/rl/dp.py",
        "return q_values(model, v, gamma).max(axis=1)",
        "return q_values(model, v, gamma).mean(axis=1)",
    ),
    Mutation(
        "hill-climbing-never-keeps",
        "policy-gradient",
        "plugins/policy_gradient/search.py",
        "self.weights[better] = self.trial[better]",
        "self.weights[better] = self.weights[better]",
    ),
    Mutation(
        "ucb-without-bonus",
        "bandit",
        "plugins/bandit/agents.py",
        "argmax_random(self.q + bonus, rng)",
        "argmax_random(self.q, rng)",
    ),
    # swapped argmax
    Mutation(
        "td-greedy-argmin",
        "td-control",
        "workbench/rl/tabular.py",
        "np.flatnonzero(values == values.max())",
        "np.flatnonzero(values == values.min())",
    ),
    Mutation(
        "dqn-greedy-argmin", "dqn", "plugins/dqn/trainer.py", "actions = q.argmax(axis=1)", "actions = q.argmin(axis=1)"
    ),
    # live values ignored after a yield
    Mutation(
        "td-control-ignores-live-config",
        "td-control",
        "plugins/td_control/trainer.py",
        "            cfg = ctx.config\n",
        "            cfg = cfg\n",
    ),
    Mutation(
        "vae-ignores-live-config", "vae", "plugins/vae/trainer.py", "        cfg = ctx.config\n", "        cfg = cfg\n"
    ),
    Mutation(
        "gan-ignores-live-config",
        "gan-panel",
        "plugins/gan/trainer.py",
        "            cfg = ctx.config\n",
        "            cfg = cfg\n",
    ),
    # a plugin that no longer loads
    Mutation("dqn-manifest-broken", "plugins", "plugins/dqn/plugin.toml", 'id = "dqn"', "id = dqn"),
]


def copy_tree(dest: Path) -> None:
    """The repo's tracked and unignored files as they are now, without .git or the venv."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def environment(copy: Path, links: Path) -> dict[str, str]:
    """Imports resolve to the copy: its packages come first on sys.path, ahead of the venv's
    editable install of the repo (whose finder runs after the path)."""
    links.mkdir(exist_ok=True)
    for package, folder in PACKAGES.items():
        (links / package).symlink_to(copy / folder, target_is_directory=True)
    return dict(os.environ, PYTHONPATH=str(links), PYTHONDONTWRITEBYTECODE="1", QT_QPA_PLATFORM="offscreen")


def fresh_copy(root: Path, name: str) -> tuple[Path, dict[str, str]]:
    copy = root / name
    copy.mkdir()
    copy_tree(copy)
    return copy, environment(copy, root / f"{name}-links")


def check_applies(m: Mutation, root: Path) -> str:
    """The text of ``m.file`` under ``root``; SystemExit unless the old text is there exactly once."""
    text = (root / m.file).read_text(encoding="utf-8")
    count = text.count(m.old)
    if count != 1:
        raise SystemExit(f"{m.name}: text found {count} times in {m.file}, expected once: {m.old!r}")
    return text


def apply(m: Mutation, root: Path) -> None:
    (root / m.file).write_text(check_applies(m, root).replace(m.old, m.new), encoding="utf-8")


def pytest(copy: Path, env: dict[str, str], tests: list[str]) -> subprocess.CompletedProcess:
    cmd = [str(PYTHON), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", f"--timeout={TEST_TIMEOUT_S}", *tests]
    return subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True)


def check_imports_come_from_copies(root: Path) -> None:
    """A copy whose packages are broken must fail to import, or the mutations would test the repo."""
    copy, env = fresh_copy(root, "sanity")
    for package, folder in PACKAGES.items():
        init = copy / folder / "__init__.py"
        original = init.read_text(encoding="utf-8")
        init.write_text(original + "\nraise ImportError('broken on purpose')\n", encoding="utf-8")
        probe = subprocess.run(
            [str(PYTHON), "-c", f"import {package}"], cwd=copy, env=env, capture_output=True, text=True
        )
        init.write_text(original, encoding="utf-8")
        if probe.returncode == 0 or "broken on purpose" not in probe.stderr:
            raise SystemExit(f"{package} imports from outside the copy: mutations would not be tested")
        where = subprocess.run(
            [str(PYTHON), "-c", f"import {package}; print({package}.__file__)"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(where).resolve().is_relative_to(copy):
            raise SystemExit(f"{package} imports from {where}, not from the copy {copy}")


def first_failure(output: str) -> str:
    """The test pytest names first in its short summary of failures and errors, and the first error line."""
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    if not found:
        return output.strip().splitlines()[-1] if output.strip() else "no output"
    why = re.search(r"^E\s+(.*)$", output, re.MULTILINE)
    return found.group(1).split("::", 1)[-1] + (f" ({why.group(1).strip()[:70]})" if why else "")


def main(names: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not names or m.name in names]
    unknown = set(names) - {m.name for m in MUTATIONS}
    if unknown:
        raise SystemExit(f"unknown mutations: {sorted(unknown)}; known: {[m.name for m in MUTATIONS]}")
    for m in chosen:  # every mutation must apply before any test runs
        check_applies(m, REPO)
    started = time.perf_counter()
    rows, survived = [], 0
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        root = Path(tmp)
        check_imports_come_from_copies(root)
        for m in chosen:
            copy, env = fresh_copy(root, m.name)
            apply(m, copy)
            t0 = time.perf_counter()
            result = pytest(copy, env, LABS[m.lab])
            seconds = time.perf_counter() - t0
            caught = result.returncode != 0
            survived += not caught
            verdict = f"caught by {first_failure(result.stdout)}" if caught else "SURVIVED"
            rows.append((m.name, m.lab, " ".join(Path(t).name for t in LABS[m.lab]), f"{seconds:.0f}s", verdict))
            print(" | ".join(rows[-1]), flush=True)
            shutil.rmtree(copy)
    widths = [max(len(r[i]) for r in rows + [HEADER]) for i in range(len(HEADER))]
    print()
    for row in [HEADER, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    print(f"\n{len(rows) - survived} of {len(rows)} caught, {survived} survived, {time.perf_counter() - started:.0f}s")
    return 1 if survived else 0


HEADER = ("mutation", "lab", "tests run", "time", "result")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
