# Everything goes through a project virtualenv, created on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test eval bench bench-dedup install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "lawgov needs Python 3.11 (found: $(PYTHON)); set PYTHON=..."; exit 2; }
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
	$(BIN)/python -m pipelines.eval_dedup

# Speed figures (ratios in one run): processing stages vs plain trafilatura, crawl throughput.
bench: $(STAMP)
	$(BIN)/python -m lawgov.bench
	$(BIN)/python -m lawgov.bench_store
	$(BIN)/python -m lawgov.bench_incremental
	$(BIN)/python -m lawgov.bench_distributed
	$(BIN)/python -m lawgov.bench_dedup --sizes $(DEDUP_SIZES)

# Near-duplicate dedup cost per document and peak memory as the corpus grows. 100k documents take
# 5-10 minutes (mostly generating the synthetic texts): make bench-dedup DEDUP_SIZES=1000,10000,100000
DEDUP_SIZES ?= 1000,10000
bench-dedup: $(STAMP)
	$(BIN)/python -m lawgov.bench_dedup --sizes $(DEDUP_SIZES)

clean:
	rm -rf $(VENV) data/archive.db* .pytest_cache
