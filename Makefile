# perfnb: `make report` builds the sample quarter's reports, `make test` runs the tests.
# Both create .venv and install everything on first use; nothing else needs doing.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.perfnb-installed

.PHONY: help setup browser libreoffice report test lint format lab clean

help:
	@echo "make report  build the sample data's reports (2017/18 Q1, 2012/13 Q2, 2009/10 Q2, Oct 2003) into output/"
	@echo "make test    run the test suite (installs Chromium for the browser tests if it can)"
	@echo "make lint    ruff check and format check"
	@echo "make lab     open a working copy of a report notebook in JupyterLab (in work/)"
	@echo "make clean   delete output/ (reports are always regenerated)"

setup: $(STAMP)

# Reinstalled whenever pyproject.toml changes. The kernelspec goes into the environment itself
# (--sys-prefix), so nothing depends on a user-level Jupyter set-up.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "perfnb needs Python 3.11 or newer: run make PYTHON=python3.12 (or another 3.11+)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (perfnb)"
	touch $@

# The sample's latest quarter (Leicestershire's 2017/18 Q1 scorecard, two services),
# Lancashire's Help Direct 2012/13 Q2 report and recovery plan (seed 000), Sefton's action plan
# monitoring at 2009/10 Q2 (seed 001) and Herefordshire's new joint review action plan (seed 003).
report: $(STAMP)
	$(BIN)/perfnb run
	$(BIN)/perfnb run --period "2012/13 Q2"
	$(BIN)/perfnb run --period "2009/10 Q2"
	$(BIN)/perfnb run --period "2003-10"

# The browser tests open the exported HTML in Debian's Chromium; installed here when missing.
browser:
	@tools/install-chromium

# The Word tests convert a report with LibreOffice (Debian's package), installed here when missing.
libreoffice:
	@tools/install-libreoffice

test: $(STAMP) browser libreoffice
	PERFNB_BROWSER_ARTIFACTS=output/browser-test $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# JupyterLab on a working copy of a notebook in work/ (git-ignored), never on the templates;
# perfnb lab also sets git's nbstripout filter for them (.gitattributes) when .git/config
# lacks it. Options: make lab LAB_ARGS='--service "Help Direct" --period "2012/13 Q2"'
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[lab]'
	$(BIN)/perfnb lab $(LAB_ARGS)

clean:
	find output -mindepth 1 ! -name README.md -exec rm -rf {} +
