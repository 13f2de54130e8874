# nic1000: `make demo` serves a demo system, `make test` runs the whole suite. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
export PYTHONUNBUFFERED := 1

.PHONY: install demo test lint typecheck pytest bench clean messages system-deps

$(STAMP): requirements.lock pyproject.toml package.json package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	VIRTUAL_ENV=$(VENV) $(UV) pip sync --quiet requirements.lock
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --no-deps -e .
	npm ci --no-audit --no-fund --silent
	@touch $(STAMP)

install: $(STAMP) system-deps

# Debian's Chromium drives the browser tests; Korean fonts make pages and PDFs readable; GNU gettext extracts
# the messages (the Korean catalogue test and `make messages`).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" || ! command -v xgettext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext >/dev/null; \
	  else echo "Install Debian's chromium, fonts-noto-cjk and gettext (sudo apt-get install chromium fonts-noto-cjk gettext)"; fi; \
	fi

# The demo serves plain http on 127.0.0.1 with keys made once for this checkout (var/demo-secret-key, and
# var/demo-audit-key signing its audit trail); production sets its own and serves https (README, "Production").
DEMO_ENV = NIC1000_INSECURE_HTTP=1 SECRET_KEY="$$(cat var/demo-secret-key)" AUDIT_KEY_FILE=var/demo-audit-key

var/demo-secret-key var/demo-audit-key:
	@mkdir -p var && umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: install var/demo-secret-key var/demo-audit-key
	$(DEMO_ENV) $(BIN)/nic1000 migrate --no-input -v0
	$(DEMO_ENV) $(BIN)/nic1000 collectstatic --no-input -v0
	$(DEMO_ENV) $(BIN)/nic1000 demo --serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

bench: install
	$(BIN)/python -m bench

# Korean translations: msgids are English; the .po is the one source of Korean (new entries may come as JSON
# files: make messages KO=file.json); it fails while any msgid has no Korean. The .mo is committed. The tools run
# with DEBUG=1: they serve nothing, and production settings would refuse to load without a secret key.
messages: install
	mkdir -p src/nic1000/locale
	cd src/nic1000 && DEBUG=1 ../../$(BIN)/nic1000 makemessages -l ko --no-obsolete -v0
	$(BIN)/python tools/po_fill.py src/nic1000/locale/ko/LC_MESSAGES/django.po $(KO)
	cd src/nic1000 && DEBUG=1 ../../$(BIN)/nic1000 compilemessages -l ko -v0

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
