# The two commands a fresh clone needs:
#   make lab    install into .venv and open JupyterLab on examples/quickstart.ipynb
#   make test   install what the tests need (Debian's chromium included) and run the whole suite

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
COMPAT := .venv-pandas22
FRONTEND := $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null) \
	labextension/package.json labextension/build-widgets.mjs labextension/tsconfig.json
# jupyter refuses to run as root without --allow-root (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

# Modules whose docstring examples run in make test (every example is a test).
DOCTESTED := jupyter_dci/core jupyter_dci/charts jupyter_dci/store jupyter_dci/widgets jupyter_dci/errors.py \
	jupyter_dci/datasets.py jupyter_dci/__init__.py jupyter_dci/_hooks.py jupyter_dci/cli.py

.PHONY: lab test lint typecheck doctest test-compat system-deps build clean

lab: $(VENV)/.lab
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) examples/quickstart.ipynb

test: system-deps $(VENV)/.test lint typecheck doctest
	$(PY) -m pytest
	$(MAKE) test-compat

lint: $(VENV)/.test
	$(VENV)/bin/ruff check jupyter_dci tests benchmarks
	$(VENV)/bin/ruff format --check jupyter_dci tests benchmarks

typecheck: $(VENV)/.test
	$(VENV)/bin/mypy

doctest: $(VENV)/.test
	$(PY) -m pytest --doctest-modules -q -p no:cacheprovider $(DOCTESTED)

# pandas 2.2 (object strings, no default copy-on-write) next to the 3.x of the main venv:
# the kernel-side tests run on both; the browser and packaging tests once.
test-compat: $(COMPAT)/.test
	$(COMPAT)/bin/python -m pytest -m "not browser and not packaging and not notebooks" -q
	$(COMPAT)/bin/python -m pytest --doctest-modules -q -p no:cacheprovider $(DOCTESTED)

system-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		{ echo "installing Debian's chromium for the browser tests"; \
		  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v npm >/dev/null 2>&1 || \
		{ echo "installing Node.js and npm to build the front end"; \
		  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.lab: $(VENV)/bin/python pyproject.toml $(FRONTEND)
	$(PY) -m pip install -q -e '.[lab]'
	touch $@

$(VENV)/.test: $(VENV)/bin/python pyproject.toml $(FRONTEND)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(COMPAT)/.test: pyproject.toml $(FRONTEND)
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install -q -e '.[test]' 'pandas==2.2.3'
	touch $@

build:
	$(PY) -m pip wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) $(COMPAT) dist build labextension/node_modules labextension/lib \
		jupyter_dci/labextension jupyter_dci/widgets/static test-artifacts
