# Two commands for a newcomer: `make run` (demo portal on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint bench serve loadtest messages clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_units --province 20
	$(PY) manage.py seed_demo
	@echo "Cổng MTTQ Lạng Sơn: http://127.0.0.1:$(PORT)/"
	@# The demo shows the portal's own Vietnamese 404/500 pages, not Django's debug page; --insecure
	@# serves static files without DEBUG. DJANGO_DEBUG=true make run brings the debug pages back.
	DJANGO_DEBUG=$${DJANGO_DEBUG:-false} MATTRAN_INPROCESS_WORKER=1 $(PY) manage.py runserver --insecure 127.0.0.1:$(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	$(PY) benchmarks/run.py $(ONLY)

serve: install
	bash scripts/serve.sh

loadtest: install
	bash benchmarks/loadtest.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
