# Tuoyu: `make run` to use it, `make test` to check it. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
TUOYU := $(VENV)/bin/tuoyu

.PHONY: help setup run demo-widget test lint typecheck unit conversations integration bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## create both environments, build the model folder, index and Rasa model (skips what is current)
	bash scripts/bootstrap.sh
	$(TUOYU) setup

run: setup ## set up, then run Rasa, the action server and the gateway (http://127.0.0.1:8080)
	$(TUOYU) run --no-setup

demo-widget: setup ## the embeddable widget on a demo community-centre page (http://127.0.0.1:8090)
	$(VENV)/bin/python scripts/demo_widget.py --start-stack

test: setup lint typecheck unit conversations integration ## everything CI runs

lint: ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: ## mypy (strict on the project's packages)
	$(VENV)/bin/mypy

unit: ## fast offline tests
	$(VENV)/bin/pytest tests/unit

conversations: ## rasa data validate, then conversation stories against the trained model
	$(TUOYU) validate
	$(TUOYU) test-stories

integration: ## conversations through the three real processes, and the e-map in Chromium
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_postgres.sh
	$(VENV)/bin/pytest tests/integration

bench: setup ## latency, memory, warm start and NLU figures (writes var/bench/)
	$(VENV)/bin/python -m benchmarks.run_all

clean: ## remove everything generated (environments, models, indexes, databases)
	rm -rf $(VENV) .venv-rasa var .mypy_cache .ruff_cache .pytest_cache
