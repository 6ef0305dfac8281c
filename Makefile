# Two commands do everything on a fresh machine:
#   make demo   set up, build the demo workbook (when missing), run the jobs on it
#   make test   set up, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench setup clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# The embedded default: data/smart-data.xlsx (made when missing) and data/outbox.jsonl in
# place of LINE. Run it twice: the second run sends nothing new.
demo: $(STAMP)
	$(PY) main.py demo --if-missing
	$(PY) main.py check
	$(PY) main.py remind --digest
	$(PY) main.py simulate
	$(PY) main.py report --pdf
	$(PY) main.py setup-line --dry-run

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) data/outbox.jsonl
