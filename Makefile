# Border Bargains: every set-up step in one place. `make help` lists the targets.
# Needs only Python 3.11+ (python3 on PATH, or PYTHON=/path/to/python3.11).

PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` and `jupyter` as subprocesses: the venv's bin/ must be on PATH.
RUN    := PATH="$(BIN):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))"
ROOTFLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
A ?=
UV := uv==0.13.9
FILE ?=
FORMAT ?= plain
WORKERS ?=
NBGRADER_EXTS := $(addprefix nbgrader.server_extensions.,formgrader validate_assignment assignment_list course_list)
# Pass arguments to the instructor commands, e.g. `make autograde A="tariff_bargain"`.

.PHONY: help install lab instructor test lint bench bench-class bench-hub hub-bytecode lock system-packages hub-proxy roster generate release collect autograde feedback export report clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv (pinned, from PyPI) installs the same lock several times faster than pip; pip is the fallback.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(UV)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(RUN) $(BIN)/jupyter server extension enable --sys-prefix $(NBGRADER_EXTS) >/dev/null 2>&1
	$(RUN) $(BIN)/jupyter labextension enable --level=sys_prefix @jupyter/nbgrader @jupyter-widgets/jupyterlab-manager >/dev/null 2>&1
	@touch $@
	@echo "Environment ready in $(VENV)/"

install: $(STAMP)  ## create .venv and install the pinned environment (done by lab and test)

# Students: nbgrader's instructor tools (Formgrader, Create Assignment, Course List) are switched off for this
# launch by config/student (a JupyterLab page_config and a server setting), and an empty local exchange folder
# lets the Assignments tab say "no assignments" instead of "the exchange directory does not exist".
STUDENT_CONFIG := JUPYTER_CONFIG_PATH="$(abspath config/student)$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))"

# Both serve the course folder (this one), so every ¶ link of the lessons, guides and assignments can be reached,
# and open lesson 00. ARGS passes options to JupyterLab, e.g. make lab ARGS="--port=8899 --no-browser".
LAB_ROOT := --ServerApp.root_dir="$(CURDIR)"
ARGS ?=

lab: $(STAMP)  ## open the course in JupyterLab as a student (home: lessons/00_orientation.ipynb)
	@mkdir -p exchange
	$(STUDENT_CONFIG) $(RUN) $(BIN)/jupyter lab $(ROOTFLAG) $(LAB_ROOT) $(ARGS) lessons/00_orientation.ipynb

# The file browser starts at the course folder (where nbgrader_config.py is, so nbgrader finds it without
# complaint); the orientation lesson opens in it.
instructor: $(STAMP)  ## open the course folder in JupyterLab with nbgrader's instructor tools (Formgrader, Create Assignment)
	$(RUN) $(BIN)/jupyter lab $(ROOTFLAG) $(LAB_ROOT) $(ARGS) lessons/00_orientation.ipynb

test: $(STAMP) system-packages hub-proxy  ## run every test (unit, notebooks, nbgrader round trips, sandbox, browser)
	$(RUN) $(BIN)/python tools/run_tests.py

lint: $(STAMP)  ## ruff over the package, the tests and the notebooks' code
	$(RUN) $(BIN)/ruff check .

bench: $(STAMP)  ## print import, widget-build and lesson run timings
	$(RUN) $(BIN)/python tools/bench.py

bench-class: $(STAMP)  ## grade 40 submissions every way (first build, plain nbgrader, workers); WORKERS=N to scale
	$(RUN) $(BIN)/python tools/bench.py class 40 $(WORKERS)

# A hub runs every user's server from this .venv as that user, who cannot write its __pycache__: without
# compiled bytecode each server start compiles the modules it imports again (measured by bench-hub).
hub-bytecode: $(STAMP)  ## compile the environment's bytecode once, for the hub's users (deploy/README.md)
	$(BIN)/python -m compileall -q -j 0 $(abspath $(VENV))/lib src >/dev/null

STUDENTS ?= 20
bench-hub: $(STAMP) hub-proxy  ## as root: STUDENTS=N arrive at once on the real hub, today's deployment beside the baseline
	$(RUN) flock /tmp/bb-hub.lock $(BIN)/python tools/bench_hub.py $(STUDENTS)

hub-proxy: deploy/jupyterhub/node_modules/.bin/configurable-http-proxy  ## install JupyterHub's proxy (npm, pinned) for the hub and its test

deploy/jupyterhub/node_modules/.bin/configurable-http-proxy: deploy/jupyterhub/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd deploy/jupyterhub && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.bin/configurable-http-proxy; \
	else echo "npm not found: the JupyterHub test will say so (Debian: apt-get install npm)"; fi

system-packages:  ## install Debian's chromium, bubblewrap and postgresql for the tests when possible
	@sh tools/ensure_system_packages.sh

lock:  ## re-resolve requirements.in into requirements.txt (then update environment.yml)
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -r requirements.in
	{ echo "# Lock file: every package at an exact version. Generated by 'make lock' from requirements.in;"; \
	  echo "# do not edit by hand. environment.yml must list the direct dependencies at these versions."; \
	  .lockvenv/bin/pip freeze --exclude-editable; } > requirements.txt
	rm -rf .lockvenv

# ---- instructor workflow: one command per nbgrader step, run from this folder ----
roster: $(STAMP)  ## import the class list exported from Canvas or Moodle: make roster FILE=export.csv
	$(RUN) $(BIN)/border-bargains roster "$(FILE)" $(A)

generate: $(STAMP)  ## solutions/ -> exercises/ for every assignment (or A="name ...")
	$(RUN) $(BIN)/border-bargains generate $(A)

release: $(STAMP)  ## put exercises into the exchange: A="name ..." (alone: those with a due date; A="name --force" again)
	$(RUN) $(BIN)/border-bargains release $(A)

collect: $(STAMP)  ## collect submissions from the exchange into submitted/
	$(RUN) $(BIN)/border-bargains collect $(A)

autograde: $(STAMP)  ## autograde every submission; one broken submission never stops the rest
	$(RUN) $(BIN)/border-bargains autograde $(A)

feedback: $(STAMP)  ## return feedback where grading is done; notes to rejected students
	$(RUN) $(BIN)/border-bargains feedback $(A)

export: $(STAMP)  ## grades with a status per assignment: FORMAT=plain|canvas|moodle (A="name ..." to choose)
	$(RUN) $(BIN)/border-bargains export --format $(FORMAT) $(A)

report: $(STAMP)  ## item analysis of each assignment: reports/<a>-items.html (A="name ..." to choose)
	$(RUN) $(BIN)/border-bargains report $(A)

clean:  ## remove the environment and instructor working folders (asks first)
	@echo "This deletes .venv/ submitted/ autograded/ feedback/ exchange/ gradebook.db. Type yes:"; \
	read answer; [ "$$answer" = yes ] && rm -rf .venv submitted autograded feedback exchange gradebook.db || echo "Nothing deleted."
