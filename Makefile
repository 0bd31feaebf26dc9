# Two commands from a fresh clone: `make lab` (the course) and `make test` (the suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# nbgrader shells out to alembic: the venv's bin/ must be on PATH
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab test bench course clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# reinstall whenever the pins change
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --notebook-dir=. course/00_index/00_index.ipynb

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_engine.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# course/ is generated: edit solutions/, then run this and commit both
course: $(VENV)/.installed
	for lesson in solutions/*/; do \
		$(BIN)/nbgrader generate_assignment $$(basename $$lesson) --no-db --force --log-level=WARN; \
	done
