# Two commands on a fresh clone:  make test   and   make book
# Both create .venv (Python >= 3.10) and install requirements.txt the first time.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test book unit notebooks browser student bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## every test: library, notebooks (nbval), student edition, then the browser tests on a fresh book build
test: $(STAMP)
	$(BIN)/python -m pytest tests chapters --nbval-lax -q --durations=15

## the HTML book in _build/html (notebooks executed; any warning or failing notebook fails the build)
book: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

notebooks: $(STAMP)
	$(BIN)/python -m pytest chapters --nbval-lax -q --durations=0

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf _build student
