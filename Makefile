# Two commands are all anyone needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_RESPONSES ?= 400

.PHONY: run test lint bench install clean-venv

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# bertopic's declared dependencies pull torch; CIPS gives it scikit-learn models instead
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/cips db upgrade
	$(BIN)/cips instruments load
	$(BIN)/cips demo --if-empty --responses $(DEMO_RESPONSES) --seed 1
	@echo "Survey: http://$(HOST):$(PORT)/s/demo"
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'cips:create_app()'

# pytest exits 5 when it collects no test: that is a failure of the suite, not a pass.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-venv:
	rm -rf $(VENV)
