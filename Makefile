# Two commands on a fresh clone:  make test   and   make book
# Both create .venv (Python >= 3.10) and install requirements.txt the first time.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test lint book book-pages unit notebooks browser student nbgrader-all bench robust clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CACHE := _build/.jupyter_cache
# one BLAS/torch thread per process, where the processes already fill the cores
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

## every test, in four stages: ruff; one pytest over the cores (library, every notebook under
## nbval, the student editions executed, the nbgrader round on chapters 2 and 7; conftest.py's
## scheduler keeps a notebook's cells on one worker and starts the longest units first), whose
## notebook runs are stored for the book; the book (-W, --all), which reuses them instead of
## executing the chapters again; the browser tests on the built book, in one process (each
## page is loaded once; two workers would each load every page). One BLAS/torch thread per
## process: the workers already fill the cores, and competing threads slow small problems down
test: $(STAMP)
	@$(MAKE) --no-print-directory lint
	@t0=$$(date +%s); $(ONE_THREAD) \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup tests chapters --nbval-lax \
	  -m "not browser" --book-cache $(CACHE) -q --durations=15; \
	  rc=$$?; echo "pytest (library, notebooks, editions, nbgrader) took $$(( $$(date +%s) - t0 ))s"; exit $$rc
	@$(MAKE) --no-print-directory book-pages
	@t0=$$(date +%s); $(BIN)/python -m pytest -p no:xdist tests/test_browser.py -q; \
	  rc=$$?; echo "browser tests took $$(( $$(date +%s) - t0 ))s"; exit $$rc

## ruff: the lint rules and the formatting of pyproject.toml, over the library, tests, bench and notebooks
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## the HTML book in _build/html. The chapters the execution cache has no run of yet are run
## first under nbval, a notebook per core at a time, and stored in the cache (a failing assert
## stops here; `-n auto` starts no worker when nothing is stale, see conftest.py); then
## Jupyter Book builds every page from the cache (-W: any warning fails)
book: $(STAMP)
	@t0=$$(date +%s); $(ONE_THREAD) \
	  $(BIN)/python -m pytest -n auto --dist loadgroup chapters --nbval-lax -q \
	  --book-cache $(CACHE) --book-stale-only; \
	  rc=$$?; echo "chapters not in the book's cache executed in $$(( $$(date +%s) - t0 ))s"; \
	  test $$rc -eq 0 -o $$rc -eq 5  # 5: every chapter was cached, nothing to run
	@$(MAKE) --no-print-directory book-pages

book-pages: $(STAMP)
	@t0=$$(date +%s); $(BIN)/jupyter-book build . --all -W -n --keep-going; \
	  rc=$$?; echo "book build took $$(( $$(date +%s) - t0 ))s"; exit $$rc

unit: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) tests -q -m "not browser and not nbgrader"

## the browser tests alone, on the book in _build/html (run `make book` first); they need
## Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium; not `playwright install`)
browser: $(STAMP)
	$(BIN)/python -m pytest tests/test_browser.py -q

## every chapter under nbval, one notebook per core at a time (each trains on one thread;
## conftest.py's scheduler keeps a notebook's cells together, in order, on one worker)
notebooks: $(STAMP)
	$(ONE_THREAD) \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup chapters --nbval-lax -q

## the student edition (solutions removed, stubs in place) in student/
student: $(STAMP)
	$(BIN)/python -m regcourse student-edition student

## the real nbgrader round (quickstart, generate_assignment, autograde, feedback) on every
## chapter; `make test` runs it on chapters 2 and 7 only
nbgrader-all: $(STAMP)
	REGCOURSE_NBGRADER_CHAPTERS=all $(BIN)/python -m pytest tests/test_nbgrader.py -q

## times every notebook, the cold and cached book builds and rc.fit's overhead; writes
## bench/results.md and fails when a budget is missed
bench: $(STAMP)
	$(BIN)/python bench/run.py

## every chapter under 10 seed bases (REGCOURSE_SEED=0..9), in parallel over the cores; writes
## bench/robust.md and fails when any assert fails on any base. Not part of `make test` (slow).
## Choose with ROBUST_ARGS, e.g.  make robust ROBUST_ARGS="--bases 10-19 --chapters 05,08"
robust: $(STAMP)
	$(BIN)/python bench/robust.py $(ROBUST_ARGS)

clean:
	rm -rf _build student
