# Two commands are all anyone needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_RESPONSES ?= 400

.PHONY: run test lint bench eval install clean-venv

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
	# Access log without client address or user agent: respondents' IPs are never recorded.
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - \
		--access-logformat '%(t)s "%(r)s" %(s)s %(b)s %(M)sms' 'cips:create_app()'

# pytest exits 5 when it collects no test: that is a failure of the suite, not a pass.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Cross-validation, leave-one-language-out and the blind set; rewrites the README table.
eval: $(STAMP)
	$(BIN)/python -m analysis.eval_report --write-readme README.md

# Speed goals, as ratios against baselines measured in the same run (last line of each: JSON).
bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-venv:
	rm -rf $(VENV)
