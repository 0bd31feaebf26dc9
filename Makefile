# Two commands from a fresh clone: `make lab` (the course) and `make test` (the suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
HUB_PORT ?= 8000
# nbgrader shells out to alembic: the venv's bin/ must be on PATH
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab instructor hub hub-clean test grade bench course clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# reinstall whenever the pins change; the environment keeps every mode: student and instructor
# modes are config directories put first on the config path by the command that needs them
# rfc3987-syntax goes: jsonschema, where it is installed, imports it at jsonschema's own import
# to check the "iri" format, which no schema here uses, and it builds an Earley grammar doing
# so -- 1.7 s in every process that reads a notebook (python-jsonschema/jsonschema#1392)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,hub]'
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax
	touch $@

# the course as students see it (student mode, as on Binder: binder/jupyter/student/)
lab: $(VENV)/.installed
	JUPYTER_CONFIG_PATH=$(abspath binder/jupyter/student) \
		$(BIN)/jupyter lab --allow-root --ServerApp.root_dir=. course/00_index/00_index.ipynb

# the instructor's JupyterLab with formgrader on a graded course: COURSE=path/to/course, or the
# demo class (graded first, by `make grade`, if it is not there yet)
COURSE ?= build/grading
instructor: $(VENV)/.installed
	@if [ ! -f $(COURSE)/nbgrader_config.py ] && [ "$(COURSE)" = build/grading ]; then \
		$(MAKE) grade; fi
	bash binder/instructor-mode.sh $(COURSE) --allow-root

# a class on a real JupyterHub on this machine, 127.0.0.1 only (grading/hub.py): an instructor
# and three students, local users made for it (root only); Ctrl-C stops it all. Users, work and
# course stay for the next start: `make hub-clean` removes them
hub: $(VENV)/.installed $(HUB_PROXY)
	$(BIN)/python -m grading.hub --root build/hub --port $(HUB_PORT)

hub-clean: $(VENV)/.installed
	$(BIN)/python -m grading.hub --root build/hub --clean

# JupyterHub's proxy, from npm (hub/package-lock.json); npm's cache and logs kept out of $HOME
$(HUB_PROXY): hub/package.json hub/package-lock.json
	@if command -v npm > /dev/null; then \
		cache=$$(mktemp -d) && npm ci --prefix hub --no-audit --no-fund --loglevel=error \
			--cache "$$cache" --logs-dir "$$cache"; status=$$?; rm -rf "$$cache"; exit $$status; \
	else \
		echo "npm missing: no JupyterHub proxy, the hub test will be skipped (apt-get install npm)"; \
	fi

test: $(VENV)/.installed system-deps
	@$(MAKE) --no-print-directory $(HUB_PROXY)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Debian packages the tests need (installed when run as root): chromium for the browser tests,
# postgresql for the gradebook on PostgreSQL, bubblewrap for the grading sandbox, npm for the
# hub's proxy
system-deps:
	@if ! command -v chromium > /dev/null || ! command -v bwrap > /dev/null || ! command -v npm > /dev/null || ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql bubblewrap $$(command -v npm > /dev/null || echo npm); \
		else \
			echo "chromium, bubblewrap, postgresql or npm missing: their tests will be skipped (apt-get install chromium postgresql bubblewrap npm)"; \
		fi; \
	fi

# the instructor's workflow on the demo class: build/grading/report/report.html. The demo class
# is made once; after that this grades only what changed, and never replaces the course
grade: $(VENV)/.installed
	@if [ ! -f build/grading/nbgrader_config.py ]; then $(BIN)/grading demo --root build/grading; fi
	$(BIN)/grading grade --root build/grading

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_checks.py
	$(BIN)/python bench/bench_grading.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build test-artifacts hub/node_modules

# course/ is generated: edit solutions/, then run this and commit both
course: $(VENV)/.installed
	for lesson in solutions/*/; do \
		$(BIN)/nbgrader generate_assignment $$(basename $$lesson) --no-db --force --log-level=WARN; \
	done
