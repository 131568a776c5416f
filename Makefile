# Two commands do the whole set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local runs are development runs unless the environment says otherwise.
export DEBUG ?= true

.PHONY: run serve test install install-dev system-packages migrate content lint format verify bench clean vendor-pyodide

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python .env
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# A development checkout runs with DEBUG on, so plain `manage.py` commands work here too;
# a server without this (git-ignored) file must be configured and fails loudly otherwise.
.env:
	printf '# Local development settings (not committed). See README.md.\nDEBUG=true\n' > $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed | system-packages
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The key verifier runs question code only inside bubblewrap (docs/sandbox.md); without it
# the verifier refuses to run code. As root with apt-get we install it; otherwise we say how.
system-packages:
	@if ! command -v bwrap >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing bubblewrap (the key verifier's sandbox)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap libseccomp2 >/dev/null; \
	  else \
	    echo "NOTE: bubblewrap is missing: the key verifier will refuse to run question code."; \
	    echo "      Install it with: sudo apt-get install bubblewrap (see docs/sandbox.md)."; \
	  fi; \
	fi

install: system-packages $(VENV)/.installed
install-dev: system-packages $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

content: migrate
	$(BIN)/python manage.py load_syllabus
	$(BIN)/python manage.py import_questions content/questions/*.yaml

run: content
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production configuration on this machine: DEBUG off, static files collected and
# served by whitenoise (brotli and gzip), gunicorn workers from WEB_CONCURRENCY, access log
# on stdout. It needs SECRET_KEY and ALLOWED_HOSTS (and HTTPS=false to try it over plain
# HTTP here); the settings name whatever is missing. See docs/deploy.md.
serve: install
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=false BIND=$${BIND:-$(HOST):$(PORT)} $(BIN)/gunicorn --config deploy/gunicorn.conf.py pcep_site.wsgi

test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

verify: content
	$(BIN)/python manage.py verify_questions

# Developers only (needs npm): refresh the committed Pyodide core, docs/run-code.md.
vendor-pyodide: $(BIN)/python
	$(BIN)/python scripts/vendor_pyodide.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
