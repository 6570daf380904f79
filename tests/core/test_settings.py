"""Production mode refuses to start half-configured, and is clean under `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7!k2#p9@r4$w8^z1&m6*q3(n5)v0-b_t=y+u[h]j{l}c;f:g'e,d.s/a?o|i~",
    "ALLOWED_HOSTS": "shop.example.com.au",
    "DATABASE_URL": "postgres://shop@db.internal:5432/shop",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "FIELD_ENCRYPTION_KEYS": "3q2-7wJx0HtmH0cYpT8l7lCm7n2Ll0FQ0y8bBv2pWZk=",
    "BUSINESS_ABN": "51 824 753 556",  # on every tax invoice (receipts/checks.py)
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start_and_says_why():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    message = result.stderr.strip()
    assert "SECRET_KEY" in message
    assert len(message.splitlines()) == 1, "one line, no traceback"


def test_production_names_every_missing_variable():
    result = _manage("check", env={"DJANGO_ENV": "production"})

    assert result.returncode != 0
    for name in PRODUCTION_ENV.keys() - {"DJANGO_ENV"}:
        assert name in result.stderr


def test_production_with_everything_set_passes_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_zero_set_up_mode_listens_on_this_machine_only():
    """It runs with DEBUG on (Django's technical 404 and 400 pages list the URL patterns) and
    the demo passwords: the README says never to expose it, and `make run` binds loopback."""
    from config.localredis import redis_server_argv

    procfile = dict(
        line.split(": ", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines() if line
    )
    redis_argv = redis_server_argv(port=6380, data_dir=BASE_DIR / "var" / "redis")

    assert "--bind 127.0.0.1:$PORT" in procfile["web"]
    assert redis_argv[redis_argv.index("--bind") + 1] == "127.0.0.1"
    assert "never expose" in (BASE_DIR / "README.md").read_text()


def test_links_in_emails_follow_the_port_the_zero_set_up_site_serves_on():
    show = ("shell", "-c", "from django.conf import settings; print(settings.SITE_URL)")
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}

    on_8123 = _manage(*show, env={**env, "PORT": "8123"})
    chosen = _manage(*show, env={**env, "PORT": "8123", "SITE_URL": "https://shop.example/"})

    assert on_8123.stdout.strip().endswith("http://127.0.0.1:8123"), on_8123.stderr
    assert chosen.stdout.strip().endswith("https://shop.example")
