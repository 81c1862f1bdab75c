# Two commands are all anyone needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_RESPONSES ?= 400

.PHONY: run test lint bench eval install clean-venv translations briefing-demo screenshots

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# bertopic's declared dependencies pull torch; CIPS gives it scikit-learn models instead
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Links handed out (invitations, printed addresses) start here, never with a request's Host header.
run: export CIPS_BASE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/cips db upgrade
	$(BIN)/cips instruments load
	$(BIN)/cips demo --if-empty --responses $(DEMO_RESPONSES) --seed 1
	@echo "Survey: http://$(HOST):$(PORT)/s/demo"
	# Threaded workers, timeouts and an access log without address, user agent or query string:
	# deploy/gunicorn.conf.py (README "Deployment": put a buffering proxy in front in production).
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) 'cips:create_app()'

# pytest exits 5 when it collects no test: that is a failure of the suite, not a pass.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Cross-validation, leave-one-language-out, the development sets, and the held-out set when present
# (each held-out run logged in analysis/data/EVAL_LOG.md; EVAL_ARGS=--allow-dirty / --look-again);
# rewrites README's tables.
eval: $(STAMP)
	$(BIN)/python -m analysis.eval_report --write-readme README.md $(EVAL_ARGS)

# Speed goals, as ratios against baselines measured in the same run (last line of each: JSON).
bench: $(STAMP)
	@for script in $(filter-out bench/_%,$(wildcard bench/*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Manager-side interface strings: re-extract after changing templates, translate the new
# entries in cips/translations/*/LC_MESSAGES/messages.po, then compile (tests check all three).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k BriefingInputError --no-location --sort-output -o cips/translations/messages.pot .
	$(BIN)/pybabel update -i cips/translations/messages.pot -d cips/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d cips/translations --statistics

# Ethics Sub-Committee briefing (issue #7) from the shipped example contributions, in French.
briefing-demo: $(STAMP)
	mkdir -p build
	$(BIN)/cips briefing --input tests/data/contributions.csv --questions tests/data/questions.yaml --lang fr \
		--title "Synthèse des contributions des administrations partenaires" \
		--meeting "Sous-Comité d'éthique de l'OMD — projet de note d'information" --out build/briefing-demo.docx
	$(BIN)/cips briefing --input tests/data/contributions.csv --questions tests/data/questions.yaml --lang fr \
		--title "Synthèse des contributions des administrations partenaires" \
		--meeting "Sous-Comité d'éthique de l'OMD — projet de note d'information" --out build/briefing-demo.md
	@echo "$(CURDIR)/build/briefing-demo.docx"
	@echo "$(CURDIR)/build/briefing-demo.md (graphic: build/briefing-demo-key-messages.svg)"

# docs/screenshots/: the respondent's four screens (tablet) and the manager's dashboard, report and
# stations pages (laptop), in English and French, from a temporary demo database (needs Chromium).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py --out docs/screenshots

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-venv:
	rm -rf $(VENV)
