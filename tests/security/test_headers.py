"""Production mode: `check --deploy` is clean, and real responses carry HSTS, nosniff, the
referrer policy, frame denial and cookies that are Secure, HttpOnly and SameSite.

The production settings are read from config/settings.py in a subprocess started with
DJANGO_ENV=production and the variables production requires (as a deployment would), then
applied to this test process, whose pages are requested the way the TLS proxy forwards them
(X-Forwarded-Proto: https).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.core.test_settings import PRODUCTION_ENV

BASE_DIR = Path(__file__).resolve().parents[2]
# What the TLS proxy forwards: the scheme it was asked for, and the Host.
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "testserver"}
SECURITY_SETTINGS = re.compile(
    r"^(SECURE_|SESSION_COOKIE_|CSRF_COOKIE_|LANGUAGE_COOKIE_|X_FRAME_OPTIONS$|OSCAR_\w+_COOKIE_SECURE$"
    r"|TRUSTED_PROXY_COUNT$)"
)
_DUMP = f"""
import json, re, django
django.setup()
from django.conf import settings
names = [n for n in dir(settings) if re.match({SECURITY_SETTINGS.pattern!r}, n)]
print(json.dumps({{n: getattr(settings, n) for n in names}}))
"""


def _python(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode_with_nothing_silenced():
    result = _python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.fixture(scope="module")
def production_values():
    result = _python("-c", _DUMP, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    return production_values


def test_production_values_are_the_hardened_ones(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True


def test_plain_http_is_sent_to_https(client, db, production):
    response = client.get("/catalogue/", HTTP_X_FORWARDED_PROTO="http")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/catalogue/"


def test_https_pages_carry_hsts_nosniff_referrer_policy_and_frame_denial(client, db, production):
    for url in ["/", "/accounts/login/", "/dashboard/login/"]:
        response = client.get(url, **HTTPS)

        assert response.status_code == 200, url
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _assert_locked_down(cookie, name):
    assert cookie["secure"] is True, f"{name} cookie is sent over plain HTTP"
    assert cookie["httponly"] is True, f"{name} cookie is readable by scripts"
    assert cookie["samesite"] == "Lax", f"{name} cookie has SameSite={cookie['samesite']!r}"


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, db, production):
    get_user_model().objects.create_user(
        username="mia", email="mia@example.com.au", password="harbour-street-12"
    )

    login_page = client.get("/accounts/login/", **HTTPS)
    _assert_locked_down(login_page.cookies["csrftoken"], "CSRF")

    signed_in = client.post(
        "/accounts/login/",
        {
            "login-username": "mia@example.com.au",
            "login-password": "harbour-street-12",
            "login_submit": "Log in",
        },
        **HTTPS,
    )

    assert signed_in.status_code == 302
    _assert_locked_down(signed_in.cookies["sessionid"], "session")
    _assert_locked_down(signed_in.cookies["csrftoken"], "CSRF")  # rotated at login


def test_the_forms_still_post_with_an_httponly_csrf_cookie(db, production):
    """No script can read the cookie, so every form must carry its token in the page."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    get_user_model().objects.create_user(
        username="mia", email="mia@example.com.au", password="harbour-street-12"
    )
    page = client.get("/accounts/login/", **HTTPS).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    response = client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": token,
            "login-username": "mia@example.com.au",
            "login-password": "harbour-street-12",
            "login_submit": "Log in",
        },
        HTTP_REFERER="https://testserver/accounts/login/",
        **HTTPS,
    )

    assert response.status_code == 302
