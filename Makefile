# Community Safety Partnership strategic assessment: one command per job.
# `make help` lists the targets. Variables: AREA (config/areas/<AREA>.yaml), PERIOD, JOBS, WARM.

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
SHELL := /bin/bash

AREA ?= demo
FORCE ?= demoshire
# PERIOD given on the command line (or in the environment) wins; otherwise it is the area's own
# default_period, read from its YAML file with sed (so a no-op make still starts no Python);
# an area <force>-<csp> with no file of its own takes its force file's.
AREA_CONFIG := $(firstword $(wildcard config/areas/$(AREA).yaml) \
  $(wildcard config/forces/$(firstword $(subst -, ,$(AREA))).yaml))
ifeq ($(origin PERIOD),undefined)
PERIOD := $(if $(AREA_CONFIG),$(shell sed -n -E 's/^default_period:[[:space:]]*([^\#[:space:]]+).*/\1/p' \
  $(AREA_CONFIG) | tr -d "\"'" | head -n 1))
endif
# One written form per period, as the csp command uses for folders: 2024/25 and FY2024/25 are
# 2024-25, so `make report PERIOD=2024/25` finds the pages the last run built.
PERIOD_GIVEN := $(filter command line,$(origin PERIOD))
override PERIOD := $(subst /,-,$(patsubst FY%,%,$(patsubst fy%,%,$(strip $(PERIOD)))))
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON ?= python3
# Python caches compiled modules (and pytest its rewritten test modules) in __pycache__/
# (gitignored); an environment that turns that off makes every process, kernel and test
# collection compile the package and the tests again: 10-20 s of every `make test`.
unexport PYTHONDONTWRITEBYTECODE

VENV := .venv
BIN := $(VENV)/bin
CSP := $(BIN)/csp
ENV_STAMP := $(VENV)/.installed
OUT := reports/$(AREA)/$(PERIOD)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
SECTION_PAGES := $(patsubst notebooks/%.ipynb,$(OUT)/%.html,$(NOTEBOOKS))
DEMO_STAMP := data/raw/demo/README.txt
DEMO_AREAS := demo demoshire-%
INGESTED := data/processed/.stamps/$(AREA).ingested

# What the ingest and each page read (config files, raw inputs, package modules, reference
# tables, store table stamps) is derived by `csp deps` into a fragment, rewritten only when a
# file it was derived from changes: a no-op make reads it and starts no Python. Only goals that
# build an area's files need it, so `make help` or `make test` never generate anything.
# A dry run (-n, -q, -t) changes nothing: it reads the fragment as it is and never rewrites it.
DEPS_FILE := data/processed/.deps/$(AREA).mk
GRAPH_GOALS := report share ingest demo-data reports/% data/% $(if $(filter demoshire,$(FORCE)),reports)
DRY_RUN := $(strip $(foreach flag,n q t,$(findstring $(flag),$(firstword -$(MAKEFLAGS)))))
ifneq ($(filter $(GRAPH_GOALS),$(MAKECMDGOALS)),)
-include $(DEPS_FILE)
endif

.PHONY: help env demo-data ingest report reports share pdf docx browser test bench lint lab clean

help: ## List the targets with a line on each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: AREA=$(AREA) PERIOD=$(PERIOD) JOBS=$(JOBS) FORCE=$(FORCE) WARM=$(WARM)"

$(ENV_STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

env: $(ENV_STAMP) ## Create .venv with the machine's python3 and install the pinned packages

$(DEMO_STAMP): $(DEMO_GENERATOR) | $(ENV_STAMP)
	$(CSP) demo --out data/raw/demo

demo-data: $(DEMO_STAMP) ## Generate the fictional demo partnership into data/raw/demo

# The demo areas' inputs are generated, so they exist before their files are listed.
ifeq ($(DRY_RUN),)
$(DEPS_FILE): $(if $(filter $(DEMO_AREAS),$(AREA)),$(DEMO_STAMP)) | $(ENV_STAMP)
	$(CSP) deps --area $(AREA) --out $@
endif

$(INGESTED): $(INGEST_INPUTS) | $(ENV_STAMP)
	$(CSP) ingest --area $(AREA)
	@mkdir -p $(dir $@) && touch $@

# The ingest writes one stamp per store table (TABLE_STAMPS), rewritten only when that table's
# content changed; a page depends on the stamps of the tables it reads, so only those pages
# rebuild. Make reads a file's time once per run, so `make report` ingests in one run and
# builds pages in the next, which sees the stamps as the ingest left them. Stamps missing
# (a store ingested before they existed) are written from the store as it is.
ifneq ($(TABLE_STAMPS),)
$(TABLE_STAMPS) &: | $(ENV_STAMP)
	$(CSP) deps --area $(AREA) --tables
endif

ingest: $(INGESTED) $(TABLE_STAMPS) ## Load the area's police.uk files into data/processed (with reconciliation)

# WARM=1 (the default): each out-of-date page is queued, and the index's recipe builds the
# queue in one `csp build`, whose JOBS workers run every section in a fresh kernel forked from
# a pre-imported process (src/analysis/publish/warm_kernels.py). WARM=0: one `csp build-section`
# process and one cold kernel per page, the method before warm kernels (the benchmarks'
# baseline). Both write the same pages byte for byte. A queued page is touched (never created)
# so that make sees it remade and runs the index's recipe; the queue is emptied only of the
# sections that built, so a failed or interrupted section is built again by the next make.
WARM ?= 1
BUILD_QUEUE := $(OUT)/_staging/queue.txt
ifeq ($(WARM),0)
$(OUT)/%.html: notebooks/%.ipynb | $(ENV_STAMP) $(INGESTED)
	CSP_WARM_KERNELS=0 $(CSP) build-section --area $(AREA) --period $(PERIOD) $*

$(OUT)/index.html: $(SECTION_PAGES)
	$(CSP) build-index --area $(AREA) --period $(PERIOD)
else
$(OUT)/%.html: notebooks/%.ipynb | $(ENV_STAMP) $(INGESTED)
	@mkdir -p $(dir $(BUILD_QUEUE)) && echo $* >> $(BUILD_QUEUE) && touch -c $@

$(OUT)/index.html: $(SECTION_PAGES)
	$(CSP) build --area $(AREA) --period $(PERIOD) --jobs $(JOBS) --queue $(BUILD_QUEUE)
endif

# The executive summary reads every other section's key figures, so it is built last.
$(OUT)/99_key_findings.html: $(filter-out $(OUT)/99_key_findings.html,$(SECTION_PAGES))

report: ## Set up, then build the assessment: reports/$(AREA)/$(PERIOD)/index.html
	@$(MAKE) --no-print-directory ingest
	@$(MAKE) --no-print-directory -j $(JOBS) $(OUT)/index.html
	@echo "Report: $(OUT)/index.html"
	@if [ -s $(OUT)/.incomplete.txt ]; then cat $(OUT)/.incomplete.txt >&2; fi

reports: $(ENV_STAMP) $(if $(filter demoshire,$(FORCE)),$(DEMO_STAMP)) ## Build every CSP of a force from one ingest: make reports FORCE=essex
	$(CSP) build --force $(FORCE) --jobs $(JOBS) $(if $(PERIOD_GIVEN),--period $(PERIOD))

PDF := $(OUT)/$(AREA)-$(PERIOD)-strategic-assessment.pdf
DOCX := $(OUT)/$(AREA)-$(PERIOD)-board-summary.docx

$(PDF): $(OUT)/index.html | browser
	$(CSP) pdf --area $(AREA) --period $(PERIOD)

$(DOCX): $(OUT)/index.html $(wildcard $(DOCX_TEMPLATE))
	$(CSP) docx --area $(AREA) --period $(PERIOD) $(if $(DOCX_TEMPLATE),--template $(DOCX_TEMPLATE))

pdf: report ## The whole assessment as one A4 PDF (cover, contents, page numbers): for a board pack
	@$(MAKE) --no-print-directory $(PDF)

docx: report ## Key findings and plan on a page as a Word document (DOCX_TEMPLATE=council.docx)
	@$(MAKE) --no-print-directory $(DOCX)

share: pdf docx ## Check disclosure and zip the report for partners (HTML, CSV, XLSX, PDF, DOCX)
	$(CSP) share --area $(AREA) --period $(PERIOD)

browser: ## Install Debian's Chromium for the browser test if missing (needs root and apt)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	} || echo "Chromium could not be installed: the browser test will be skipped"

test: $(ENV_STAMP) browser ## Set up, then run every test (unit, build, browser, real-data) on two workers
	$(BIN)/python -m pytest -n 2

bench: $(ENV_STAMP) ## Run the benchmarks (about 23 minutes on 2 cores): every target, met or not
	$(BIN)/python benchmarks/run_all.py

lint: $(ENV_STAMP) ## Check style (ruff), the stage contracts (import-linter) and types (mypy)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

# Notebooks run by hand write to reports/_lab/ (src/analysis/core/lab.py); AREA or PERIOD given
# here set the working area. JupyterLab refuses to run as root without --allow-root.
LAB_AREA := $(if $(filter command line,$(origin AREA)),CSP_AREA=$(AREA)) $(if $(PERIOD_GIVEN),CSP_PERIOD=$(PERIOD))
lab: $(ENV_STAMP) ## Open the notebooks in JupyterLab (make lab AREA=x: work on area x)
	$(strip $(LAB_AREA) $(BIN)/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root))

clean: ## Delete built reports and processed data (raw data and .venv are kept)
	find reports data/processed -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
