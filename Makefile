# Kesu — `make run` serves the product, `make test` runs every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export KESU_DATA_DIR ?= $(CURDIR)/var

.PHONY: install system run test test-sqlite test-postgres lint bench messages browser openapi clean

$(BIN)/kesu: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(BIN)/kesu

install: $(BIN)/kesu messages

# Compiled message catalogues (.mo) are built from the committed .po files.
messages: $(BIN)/kesu
	@command -v msgfmt >/dev/null || (apt-get install -y -q gettext >/dev/null 2>&1 || sudo apt-get install -y -q gettext)
	cd $(CURDIR) && $(BIN)/kesu compilemessages -v0 --ignore=.venv

run: install
	$(BIN)/kesu migrate --noinput -v0
	$(BIN)/kesu collectstatic --noinput -v0
	$(BIN)/kesu load_demo
	$(BIN)/kesu serve --port $(PORT)

# System packages the suite needs (Debian): Chromium for the browser tests (Playwright drives
# /usr/bin/chromium), a CJK font and Pango for the PDF reports (WeasyPrint), pdftotext to read
# them back, and Dovecot, the IMAP server the mail-in tests start on loopback.
SYSTEM_PACKAGES := chromium fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 poppler-utils dovecot-imapd
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
		($$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing >/dev/null) \
		|| echo "warning: could not install$$missing"; \
	fi

browser: system

test: install system test-sqlite test-postgres

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q

test-postgres:
	@if [ -n "$$KESU_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$KESU_TEST_DATABASE_URL"; \
		DATABASE_URL="$$KESU_TEST_DATABASE_URL" $(BIN)/pytest -n 2 -q; \
	else echo "KESU_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/kesu makemigrations --check --dry-run -v0
	$(BIN)/mypy kesu config

# The committed OpenAPI document, checked against the code by tests/api/test_openapi.py.
openapi: $(BIN)/kesu
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -c "import django, json; django.setup(); \
	from django.test import Client; print(json.dumps(Client(HTTP_HOST='127.0.0.1').get('/api/v1/openapi.json').json(), \
	ensure_ascii=False, indent=1, sort_keys=True))" > docs/openapi.json

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
