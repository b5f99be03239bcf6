# The template repository's own workflow. `make` alone lists the targets.
#
#   make demo   render a sample project with default answers and run its
#               make dev + make test (the first of the README's two commands)
#   make test   the template's whole test suite (the second)
#
# The repo eats its own cooking: its tools are pinned in hash-checked locks,
# compiled and synced by the same tools/locks.py the generated projects use.

PYTHON ?= python3
VENV ?= .venv
VENV_PYTHON := $(VENV)/bin/python
STAMPS := $(VENV)/.stamps
LOCK_TOOL := $(VENV_PYTHON) template/tools/locks.py --venv "$(VENV)"
# Compile settings are in pyproject.toml ([tool.pip-tools]); extra flags, one run.
PIP_COMPILE_FLAGS ?=
# pytest-xdist workers: one per core.
PYTEST_ARGS ?= -n auto
DEMO_DIR ?= build/demo-project
# The project name (without it, the folder name would be used); every other
# question takes its default. make_demo=true tells copier's closing message
# that the demo runs the project's first steps itself.
DEMO_NAME ?= Demo Project
# The copier `make demo` runs: the tested version, alone in its venv.
COPIER_LOCK := template/tools/copier-requirements.txt
DEMO_VENV ?= $(VENV)/tools/demo
DEMO_COPIER := $(DEMO_VENV)/bin/copier
BENCH_RUNS ?= 3
# BENCH_SCALE=1: a data platform's requirements.in instead (scripts/benchmark-data-platform.in).
BENCH_SCALE ?=
# checkov (the Terraform security scan in tests/test_infra.py) has a lock and
# a venv of its own: it pins packaging and dozens of other packages copier and
# the dev tools need too, so apart neither holds the other back. --pair names
# the locks tools/locks.py works on (by default the two a project has).
CHECKOV_PAIR := --pair requirements-checkov.in requirements-checkov.txt
ALL_PAIRS := --pair requirements.in requirements.txt \
	--pair requirements-dev.in requirements-dev.txt $(CHECKOV_PAIR)
CHECKOV_VENV := $(VENV)/tools/checkov

.DEFAULT_GOAL := help
.PHONY: help dev lock upgrade test test-fast demo bench clean clean-venv
.PHONY: docs

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMPS)/venv:
	$(PYTHON) -m venv $(VENV)
	@mkdir -p $(STAMPS) && touch $@

# template/tools/locks.py decides by fingerprints, not file times, whether a
# lock must be recompiled and whether the venv holds exactly the locks.
lock: $(STAMPS)/venv ## Compile the repo's own locks (only if an input or a lock changed)
	@$(LOCK_TOOL) $(ALL_PAIRS) lock -- $(PIP_COMPILE_FLAGS)

upgrade: $(STAMPS)/venv ## Move the repo's own pins to the newest versions
	@$(LOCK_TOOL) $(ALL_PAIRS) lock --upgrade -- $(PIP_COMPILE_FLAGS)

# checkov gets its venv of its own, .venv/tools/checkov (see CHECKOV_PAIR).
dev: $(STAMPS)/venv $(CHECKOV_VENV)/bin/python ## Venv with copier, pytest and the other tools, exactly as locked
	@$(LOCK_TOOL) sync -- $(PIP_COMPILE_FLAGS)
	@$(LOCK_TOOL) $(CHECKOV_PAIR) lock -- $(PIP_COMPILE_FLAGS)
	@$(VENV_PYTHON) template/tools/locks.py --venv "$(CHECKOV_VENV)" $(CHECKOV_PAIR) sync

$(CHECKOV_VENV)/bin/python: | $(STAMPS)/venv
	$(PYTHON) -m venv $(CHECKOV_VENV)

test: dev ## Run the whole test suite (renders, builds and runs generated projects)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The render, validator and lint tests: a few minutes, network not needed.
test-fast: dev ## Only the tests that need no pip install and no network
	$(VENV)/bin/pytest $(PYTEST_ARGS) -m "not slow"

# The demo needs only copier: the tested one, installed hash-checked from the
# file that pins it for generated projects too, into a venv of its own that is
# rebuilt only when that file changes (not the dev venv, which it never uses).
demo: $(DEMO_COPIER) ## Render a sample project into build/demo-project, then make dev + make test
	$(DEMO_COPIER) copy --defaults --overwrite --vcs-ref HEAD -d make_demo=true \
		-d project_name="$(DEMO_NAME)" \
		-d python_version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
		. $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR) dev
	$(MAKE) -C $(DEMO_DIR) test

$(DEMO_COPIER): $(COPIER_LOCK)
	@echo "Installing $$(sed -n 's/^\(copier==[^ ]*\).*/\1/p' $(COPIER_LOCK)) from $(COPIER_LOCK) into $(DEMO_VENV)"
	@rm -rf $(DEMO_VENV) && $(PYTHON) -m venv $(DEMO_VENV)
	@$(DEMO_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(COPIER_LOCK) \
		|| { rm -rf $(DEMO_VENV); exit 1; }

# Render, first green, clone-and-go, no-op make dev, make demo: each beside its floor.
bench: dev ## Print the timings users feel, each beside its floor
	$(VENV_PYTHON) scripts/benchmark.py --runs $(BENCH_RUNS) $(if $(BENCH_SCALE),--scale)

# The documentation site. The generated pages are regenerated first, so they
# cannot drift: docs/questions.md from copier.yml, docs/make-targets.md from
# the rendered Makefile's `make help`, the hooks table in docs/hooks.md from
# the rendered .pre-commit-config.yaml, the picture docs/flow.svg, and the
# lists of pages in docs/index.md and README.md from mkdocs.yml's nav.
docs: dev ## Regenerate the generated docs pages, then build the site into build/site
	$(VENV_PYTHON) scripts/docs_questions.py --write
	$(VENV_PYTHON) scripts/docs_make_targets.py --write
	$(VENV_PYTHON) scripts/docs_hooks.py --write
	$(VENV_PYTHON) scripts/docs_flow.py --write
	$(VENV_PYTHON) scripts/docs_pages.py --write
	$(VENV)/bin/mkdocs build --strict --site-dir build/site

clean: ## Remove build output and caches (keeps .venv)
	rm -rf build .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

clean-venv: ## Remove .venv too
	rm -rf $(VENV)
