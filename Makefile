# Two commands on a fresh machine: `make run` and `make test`.
# Both are idempotent: the virtualenv is reused and packages are only
# reinstalled when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
HASH   := $(shell sha1sum pyproject.toml | cut -c1-12)
APP_STAMP  := $(VENV)/.app-$(HASH)
TEST_STAMP := $(VENV)/.test-$(HASH)

.PHONY: run test test-fast screenshots lint install bench schema clean chromium poppler bench-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@rm -f $(VENV)/.app-*; touch $@

$(TEST_STAMP): $(APP_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.test-*; touch $@

install: $(APP_STAMP)

run: $(APP_STAMP)
	$(BIN)/optrain db migrate
	$(BIN)/optrain users init
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "Could not install chromium: browser tests will be skipped."; \
	else \
		echo "Browser tests will be skipped: install Debian's chromium (sudo apt-get install chromium) to run them."; \
	fi

# pdftoppm renders the certificate once to check it is one page with the text inside its frame.
poppler:
	@if command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's poppler-utils for the certificate render test..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null) \
		|| echo "Could not install poppler-utils: the certificate render test will be skipped."; \
	else \
		echo "The certificate render test will be skipped: install Debian's poppler-utils (sudo apt-get install poppler-utils)."; \
	fi

# The evidence benchmark's floor (sqlite3 -csv | zip -1) and its memory figure (/usr/bin/time -v).
bench-tools:
	@if command -v sqlite3 >/dev/null 2>&1 && command -v zip >/dev/null 2>&1 && [ -x /usr/bin/time ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's sqlite3, zip and time for the evidence benchmark..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 zip time >/dev/null) \
		|| echo "Could not install sqlite3, zip and time: the evidence benchmark will report the failure."; \
	else \
		echo "The evidence benchmark needs Debian's sqlite3, zip and time (sudo apt-get install sqlite3 zip time)."; \
	fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The unit and AppTest suites run on two processes; the browser tests one at a time (each drives a server).
test: $(TEST_STAMP) chromium poppler lint
	$(BIN)/python -m pytest -n 2 -m "not e2e"
	$(BIN)/python -m pytest -m e2e

test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 2 -m "not e2e"

# The browser tests again, saving a screenshot of each step in tests/e2e/screenshots/ to look at.
screenshots: $(TEST_STAMP) chromium
	OPTRAIN_SCREENSHOTS=1 $(BIN)/python -m pytest -m e2e

schema: $(APP_STAMP)
	$(BIN)/optrain schema

bench: $(TEST_STAMP) chromium bench-tools
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
