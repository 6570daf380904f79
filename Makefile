# The two commands: `make run` starts the whole site, `make test` proves it.
# Both need only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test setup lint bench clean browser-deps

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
# a Redis server with its data in var/redis, on a port no other run holds (config/localredis.py
# picks it before anything starts). Ctrl-C or SIGTERM stops all of them.
run: setup
	@if [ -n "$$REDIS_URL" ]; then \
		echo "Using REDIS_URL; not starting a Redis server."; \
		PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --port $(PORT) web worker beat; \
	else \
		redis_port=$$($(BIN)/python -m config.localredis --port) || exit 1; \
		LOCAL_REDIS_PORT=$$redis_port PATH="$(CURDIR)/$(BIN):$$PATH" \
			exec $(BIN)/honcho start --port $(PORT) web worker beat redis; \
	fi

# The browser tests (tests/browser/) drive Debian's Chromium and inject axe-core; the Nu HTML
# checker (vnu-jar) runs on the machine's Java. npm installs only those two test tools.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

browser-deps: node_modules/.installed
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
		else \
			echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; \
		fi; }
	@command -v java >/dev/null || { echo "The HTML checks need Java (apt-get install default-jre-headless)"; exit 1; }

# The layers (.importlinter): config > sitewide > departments | staff_auth > core.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit --recursive core staff_auth sitewide accounts receipts shop insurance blog consultations config --severity-level medium --quiet

test: $(BIN)/.installed browser-deps lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest

# Benchmarks print figures; they are not tests (see bench/). The side-by-side against stock
# Oscar writes bench/results/<date>-<database>.json; BENCH_PRODUCTS, BENCH_SECONDS, BENCH_ROUNDS
# and BENCH_PAGES (e.g. home,product,ceiling) make a quicker run of it.
bench: $(BIN)/.installed
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; \
		else \
			echo "The benchmark needs wrk: sudo apt-get install wrk"; exit 1; \
		fi; }
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python bench/side_by_side.py
	$(BIN)/python bench/catalogue_queries.py
	$(BIN)/python bench/invoice.py
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then \
		$(BIN)/python bench/booking_queue.py; \
	else \
		echo "bench/booking_queue.py skipped: it needs DATABASE_URL (PostgreSQL) and REDIS_URL"; \
	fi

clean:
	rm -rf $(VENV) var staticfiles node_modules
