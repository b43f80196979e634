# Community Safety Partnership strategic assessment: one command per job.
# `make help` lists the targets. Variables: AREA (config/areas/<AREA>.yaml), PERIOD, JOBS.

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
SHELL := /bin/bash

AREA ?= demo
FORCE ?= demoshire
PERIOD ?= 2024-25
# One written form per period, as the csp command uses for folders: 2024/25 and FY2024/25 are
# 2024-25, so `make report PERIOD=2024/25` finds the pages the last run built.
PERIOD_GIVEN := $(filter command line,$(origin PERIOD))
override PERIOD := $(subst /,-,$(patsubst FY%,%,$(patsubst fy%,%,$(strip $(PERIOD)))))
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON ?= python3

VENV := .venv
BIN := $(VENV)/bin
CSP := $(BIN)/csp
ENV_STAMP := $(VENV)/.installed
OUT := reports/$(AREA)/$(PERIOD)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
SECTION_PAGES := $(patsubst notebooks/%.ipynb,$(OUT)/%.html,$(NOTEBOOKS))
PACKAGE_FILES := $(shell find src/analysis -type f \( -name '*.py' -o -name '*.csv' -o -name '*.j2' -o -name '*.css' -o -name '*.js' -o -name '*.yaml' \) -not -path '*/__pycache__/*')
AREA_CONFIG := config/areas/$(AREA).yaml
DEMO_STAMP := data/raw/demo/README.txt
RAW_INPUTS := $(if $(filter demo,$(AREA)),$(DEMO_STAMP))
INGESTED := data/processed/.stamps/$(AREA).ingested

.PHONY: help env demo-data ingest report reports share browser test bench lint lab clean

help: ## List the targets with a line on each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: AREA=$(AREA) PERIOD=$(PERIOD) JOBS=$(JOBS) FORCE=$(FORCE)"

$(ENV_STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

env: $(ENV_STAMP) ## Create .venv with the machine's python3 and install the pinned packages

$(DEMO_STAMP): src/analysis/demo.py | $(ENV_STAMP)
	$(CSP) demo --out data/raw/demo

demo-data: $(DEMO_STAMP) ## Generate the fictional demo partnership into data/raw/demo

$(INGESTED): $(AREA_CONFIG) $(RAW_INPUTS) src/analysis/store.py $(wildcard src/analysis/sources/*.py) | $(ENV_STAMP)
	$(CSP) ingest --area $(AREA)
	@mkdir -p $(dir $@) && touch $@

ingest: $(INGESTED) ## Load the area's police.uk files into data/processed (with reconciliation)

$(OUT)/%.html: notebooks/%.ipynb $(INGESTED) $(PACKAGE_FILES) $(AREA_CONFIG)
	$(CSP) build-section --area $(AREA) --period $(PERIOD) $*

# The executive summary reads every other section's key figures, so it is built last.
$(OUT)/99_key_findings.html: $(filter-out $(OUT)/99_key_findings.html,$(SECTION_PAGES))

$(OUT)/index.html: $(SECTION_PAGES)
	$(CSP) build-index --area $(AREA) --period $(PERIOD)

report: ## Set up, then build the assessment: reports/$(AREA)/$(PERIOD)/index.html
	@$(MAKE) --no-print-directory -j $(JOBS) $(OUT)/index.html
	@echo "Report: $(OUT)/index.html"

reports: $(ENV_STAMP) $(if $(filter demoshire,$(FORCE)),$(DEMO_STAMP)) ## Build every CSP of a force from one ingest: make reports FORCE=essex
	$(CSP) build --force $(FORCE) --jobs $(JOBS) $(if $(PERIOD_GIVEN),--period $(PERIOD))

share: $(OUT)/index.html ## Check disclosure and zip the report for partners (HTML, CSV, XLSX)
	$(CSP) share --area $(AREA) --period $(PERIOD)

browser: ## Install Debian's Chromium for the browser test if missing (needs root and apt)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	} || echo "Chromium could not be installed: the browser test will be skipped"

test: $(ENV_STAMP) browser ## Set up, then run every test (unit, build, browser, real-data)
	$(BIN)/python -m pytest

bench: $(ENV_STAMP) ## Run the benchmarks (11-15 minutes on 2 cores) and print the ratios
	$(BIN)/python benchmarks/run_all.py

lint: $(ENV_STAMP) ## Check code style with ruff, then the types in src/ with mypy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

lab: $(ENV_STAMP) ## Open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks

clean: ## Delete built reports and processed data (raw data and .venv are kept)
	find reports data/processed -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
