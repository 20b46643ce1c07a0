# Two commands: `make report` (main job on the bundled sample data) and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The Spark extra only where Java can run it (CI machines with Java then run the Spark tests).
EXTRAS := test$(shell command -v java >/dev/null 2>&1 && echo ,spark)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# Test workers: each test file (each notebook) stays on one worker, so a notebook's cells run in order.
WORKERS ?= 2

.PHONY: setup test unit nbval report execute lab sample bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	@touch $(STAMP)

## Unit tests, docstring examples, then every notebook re-executed and compared by nbval.
test: $(STAMP)
	$(BIN)/ruff check cxkit tests benchmarks notebooks
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(WORKERS) --dist loadfile tests \
	    --doctest-modules cxkit \
	    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    notebooks

unit: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile tests

## Load the sample data once, run every notebook on it and write code-free HTML reports (and the deck)
## to reports/; PDF copies too where Chromium is installed.
ifneq ($(shell command -v chromium 2>/dev/null),)
PDF := --pdf
endif
report: $(STAMP)
	$(BIN)/cxkit report data/sample --out reports --pptx $(PDF)

## Re-execute notebooks in place (stored outputs refreshed; byte-identical when nothing changed).
execute: $(STAMP)
	$(BIN)/python -m cxkit.report execute $(NOTEBOOKS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## Regenerate data/sample/ from the seeded generator.
sample: $(STAMP)
	$(BIN)/python -m cxkit.synth --out data/sample

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_clv.py

clean:
	rm -rf $(VENV) reports .pytest_cache
