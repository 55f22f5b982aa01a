# `make run` sets everything up and opens the app; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint clean package package-check mutants screenshots

$(BIN)/workbench: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

setup: $(BIN)/workbench
	@sh scripts/system-deps.sh

run: setup
	$(BIN)/workbench gui --plugin td-control

# import contracts, lint and format check (ruff), types (mypy: strict on workbench/core)
lint: setup
	$(BIN)/lint-imports
	$(BIN)/ruff check workbench plugins tests benchmarks scripts packaging
	$(BIN)/ruff format --check workbench plugins tests benchmarks scripts packaging
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

# the standalone folder app, dist/workbench/ (PyInstaller), then its check from outside the repo
package: setup
	$(BIN)/pip install --quiet -e ".[dev,package]"
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/workbench.spec
	@du -sh dist/workbench

package-check: setup
	$(BIN)/pytest -m package tests/packaging

# break each lab's core step on purpose in a copy of the tree: its tests must fail (not part of make test)
mutants: setup
	$(BIN)/python scripts/mutants.py

# every plugin's panel after a short warm-up, offscreen, into docs/images/<plugin>.png (the README's gallery)
screenshots: setup
	$(BIN)/python scripts/screenshots.py --out docs/images

clean:
	rm -rf $(VENV) build *.egg-info
