# prioanalysis — the two commands of the README quick start: `make demo`, `make test`; `make lint` before a commit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= 2026

.PHONY: setup demo test test-unit test-notebooks lint lab lock bench clean-venv

setup: $(STAMP)

# Create the venv if missing and install the package with its pinned dependencies.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (prioanalysis)" >/dev/null
	touch $(STAMP)

# The annual cycle available so far on the bundled sample data.
demo: setup
	$(BIN)/prioanalysis run --year $(YEAR)

# The whole suite: unit, property, literature, CLI end-to-end, then the notebooks.
test: setup
	$(BIN)/python -m pytest -n 2 tests prioanalysis
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/

test-unit: setup
	$(BIN)/python -m pytest -n 2 tests prioanalysis

test-notebooks: setup
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/

# Lint, format check and type check (configured in pyproject.toml; the same as the pre-commit hooks).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy prioanalysis

# JupyterLab refuses to start as root unless told; containers often run as root.
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: setup
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Re-resolve the pinned versions after changing dependencies in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	( echo "# Pinned versions of every dependency (direct and transitive), resolved on Python 3.11."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable ) > constraints.txt
	rm -rf .lock-venv

clean-venv:
	rm -rf $(VENV)
