# The two commands: `make run` starts the whole site, `make test` proves it.
# Both need only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test setup lint bench clean

# The virtualenv is rebuilt only when a requirements file changes.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo

# Web (gunicorn on 127.0.0.1:$(PORT)), Celery worker and beat, and, unless REDIS_URL is set,
# a Redis server with its data in var/redis. Ctrl-C or SIGTERM stops all of them.
run: setup
	@if [ -n "$$REDIS_URL" ]; then \
		echo "Using REDIS_URL; not starting a Redis server."; \
		PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --port $(PORT) web worker beat; \
	else \
		PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --port $(PORT) web worker beat redis; \
	fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(BIN)/.installed lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest

# Benchmarks print figures; they are not tests (see bench/).
bench: $(BIN)/.installed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python bench/catalogue_queries.py
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then \
		$(BIN)/python bench/booking_queue.py; \
	else \
		echo "bench/booking_queue.py skipped: it needs DATABASE_URL (PostgreSQL) and REDIS_URL"; \
	fi

clean:
	rm -rf $(VENV) var staticfiles
