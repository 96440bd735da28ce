# Everything goes through a project virtualenv, created on first use.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test eval bench install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lawgov demo --db data/archive.db

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Extraction vs plain trafilatura on the gold pages and the sample web; classification P/R.
eval: $(STAMP)
	$(BIN)/python -m pipelines.eval_extract tests/pages tests/pages/heldout tests/pages/blind --sample-web
	$(BIN)/python -m pipelines.eval_classify

# Speed figures (ratios in one run): processing stages vs plain trafilatura, crawl throughput.
bench: $(STAMP)
	$(BIN)/python -m lawgov.bench

clean:
	rm -rf $(VENV) data/archive.db* .pytest_cache
