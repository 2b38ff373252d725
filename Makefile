# make demo: a local container host serving the app on http://127.0.0.1:$(DEMO_PORT)
# make test: yamllint, ansible-lint (production), role spec checks, the app's pytest suite, every Molecule scenario
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PORT ?= 8080
export DEMO_PORT

.PHONY: venv demo demo-down lint test-app molecule test bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt app/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r app/requirements.txt
	touch $@

demo: venv
	VENV=$(VENV) scripts/demo.sh up

demo-down:
	scripts/demo.sh down

lint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --profile production
	$(BIN)/pytest -q tests

test-app: venv
	cd app && ../$(BIN)/pytest -q

molecule: venv
	scripts/testhosts.sh images
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/molecule test --all

test: lint test-app molecule

bench: venv
	$(BIN)/python app/bench/benchmark.py

clean:
	rm -rf $(VENV) .cache
