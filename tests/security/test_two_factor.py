"""Staff open the dashboard and the admin with a password and a code from an authenticator
app (staff_auth/twofactor.py), required where STAFF_TWO_FACTOR is on: production mode's default.

The codes here are computed from the key the set-up page shows, as the staff member's app
computes them (RFC 6238), so the tests prove what a person with a phone would see.
"""

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.core.test_settings import PRODUCTION_ENV, _manage

PASSWORD = "harbour-street-12"


@pytest.fixture(autouse=True)
def required(settings):
    settings.STAFF_TWO_FACTOR = True


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        username="ellie", email="ellie@example.com.au", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="root", email="root@example.com.au", password=PASSWORD
    )


def _password_step(client, email="ellie@example.com.au", url="/dashboard/login/"):
    field = {"username": email, "password": PASSWORD}
    return client.post(url, field, follow=True)


def _key_on(page) -> bytes:
    key = re.search(r'id="two_factor_key">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    key = key.replace(" ", "")
    return b32decode(key + "=" * (-len(key) % 8))


def _code(key: bytes, steps_ahead: int = 0) -> str:
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _a_minute_later(user):
    """Time passes, as it does while a person retypes: a wrong code's pause is over."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_timestamp__isnull=False).update(
            throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(minutes=1)
        )


def _set_up(client):
    """Password, then the app set up from the page's key; returns the key."""
    page = _password_step(client)
    key = _key_on(page)
    response = client.post("/dashboard/two-factor/setup/", {"code": _code(key)}, follow=True)
    assert response.status_code == 200
    return key


def test_staff_without_an_app_are_sent_to_set_one_up_before_any_staff_page(client, staff):
    page = _password_step(client)

    assert page.redirect_chain[-1][0].startswith("/dashboard/two-factor/setup/?next=")
    html = page.content.decode()
    assert "Set up two-factor sign-in" in html
    assert "<svg" in html and "QR code: add to your app" in html
    assert len(_key_on(page)) == 20  # a 160-bit key, as RFC 4226 recommends
    for url in ("/dashboard/", "/dashboard/health-funds/", "/dashboard/orders/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dashboard/two-factor/setup/?next="), url
    # The shop itself is not a staff page.
    assert client.get("/accounts/profile/").status_code == 200


def test_set_up_is_confirmed_by_the_apps_first_code_then_shows_backup_codes(client, staff):
    page = _password_step(client)
    key = _key_on(page)
    password_session = client.session.session_key

    wrong = client.post("/dashboard/two-factor/setup/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert _key_on(wrong) == key, "the key scanned is still the one on the page"
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()

    _a_minute_later(staff)
    done = client.post("/dashboard/two-factor/setup/", {"code": _code(key)}, follow=True)

    assert done.redirect_chain[-1][0].startswith("/dashboard/two-factor/backup-codes/")
    codes = re.findall(
        r'<code class="h5 two-factor-secret">([a-z2-7]{4} [a-z2-7]{4})</code>',
        done.content.decode(),
    )
    assert len(codes) == 10
    assert client.session.session_key != password_session, "a new session key once confirmed"
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/admin/").status_code == 403  # the admin is for superusers only


def test_every_later_sign_in_asks_for_a_code_and_a_code_opens_once(client, staff):
    key = _set_up(client)
    client.post("/dashboard/logout/")

    page = _password_step(client)
    assert page.redirect_chain[-1][0] == "/dashboard/two-factor/?next=%2Fdashboard%2F"
    assert "Second step: your code" in page.content.decode()
    assert client.get("/dashboard/").status_code == 302

    code = _code(key, steps_ahead=1)  # the set-up used this 30 s step's code
    opened = client.post("/dashboard/two-factor/?next=/dashboard/", {"code": code}, follow=True)
    assert opened.redirect_chain[-1][0] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    # The same code, typed by someone who saw it, is worth nothing.
    other = type(client)()
    _password_step(other)
    replay = other.post("/dashboard/two-factor/", {"code": code})
    assert replay.status_code == 400
    assert "That code is not right" in replay.content.decode()
    assert other.get("/dashboard/").status_code == 302


def test_a_backup_code_opens_the_dashboard_once_and_says_how_many_are_left(client, staff):
    _set_up(client)
    backup = StaticToken.objects.filter(device__user=staff).first().token
    client.post("/dashboard/logout/")
    _password_step(client)

    opened = client.post("/dashboard/two-factor/", {"code": f" {backup.upper()} "}, follow=True)
    assert opened.status_code == 200
    assert "You signed in with a backup code; 9 left." in opened.content.decode()

    client.post("/dashboard/logout/")
    _password_step(client)
    _a_minute_later(staff)
    again = client.post("/dashboard/two-factor/", {"code": backup})
    assert again.status_code == 400


def test_wrong_codes_are_slowed_down_and_the_page_says_how_long_to_wait(client, staff):
    key = _set_up(client)
    client.post("/dashboard/logout/")
    _password_step(client)

    for wrong in ("111111", "222222", "333333"):
        client.post("/dashboard/two-factor/", {"code": wrong})
    refused = client.post("/dashboard/two-factor/", {"code": _code(key, steps_ahead=1)})

    assert refused.status_code == 429
    assert re.search(r"Too many wrong codes: wait \d+ seconds?", refused.content.decode())
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize("typed", ["", "   ", "12345", "abc", "1" * 41, "12345\x00"])
def test_malformed_codes_get_a_message_not_an_error(client, staff, typed):
    _password_step(client)

    response = client.post("/dashboard/two-factor/setup/", {"code": typed})

    assert response.status_code == 400
    assert 'id="code_error"' in response.content.decode()


def test_the_admins_login_asks_for_the_code_too(client, superuser):
    page = _password_step(client, "root@example.com.au", url="/admin/login/?next=/admin/")

    assert page.redirect_chain[-1][0] == "/dashboard/two-factor/setup/?next=%2Fadmin%2F"
    key = _key_on(page)
    done = client.post(
        "/dashboard/two-factor/setup/?next=/admin/", {"code": _code(key)}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/dashboard/two-factor/backup-codes/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 200


def test_the_next_address_never_leads_off_the_site(client, staff):
    _password_step(client)
    page = client.get("/dashboard/two-factor/setup/?next=https://evil.example/")
    key = _key_on(page)

    done = client.post(
        "/dashboard/two-factor/setup/", {"code": _code(key), "next": "https://evil.example/"}
    )

    assert done["Location"] == "/dashboard/two-factor/backup-codes/?next=%2Fdashboard%2F"


def test_customers_have_no_second_step_pages(client, db):
    get_user_model().objects.create_user(
        username="cus", email="cus@example.com.au", password=PASSWORD
    )
    client.login(username="cus", password=PASSWORD)

    assert client.get("/dashboard/two-factor/setup/").status_code == 403
    assert client.get("/dashboard/two-factor/").status_code == 403


def test_where_it_is_off_an_app_someone_set_up_is_still_asked_for(client, staff, settings):
    settings.STAFF_TWO_FACTOR = False
    _password_step(client)
    assert client.get("/dashboard/").status_code == 200, "no app: the password alone"

    page = client.get("/dashboard/two-factor/setup/")
    client.post("/dashboard/two-factor/setup/", {"code": _code(_key_on(page))})
    client.post("/dashboard/logout/")

    page = _password_step(client)
    assert page.redirect_chain[-1][0].startswith("/dashboard/two-factor/?next=")


def test_a_lost_phone_is_reset_by_command_and_the_next_sign_in_sets_up_anew(client, staff, capsys):
    _set_up(client)
    client.post("/dashboard/logout/")

    call_command("reset_two_factor", "Ellie@example.com.au")

    assert "Removed 2 second-factor devices" in capsys.readouterr().out
    page = _password_step(client)
    assert page.redirect_chain[-1][0].startswith("/dashboard/two-factor/setup/")


def test_moving_to_a_new_phone_needs_the_old_one_and_retires_it(client, staff):
    old_key = _set_up(client)
    page = client.get("/dashboard/two-factor/setup/")
    assert "Move your codes to a new phone" in page.content.decode()
    new_key = _key_on(page)
    assert new_key != old_key

    client.post("/dashboard/two-factor/setup/", {"code": _code(new_key)})

    devices = TOTPDevice.objects.filter(user=staff)
    assert [d.bin_key for d in devices] == [new_key]
    client.post("/dashboard/logout/")
    _password_step(client)
    assert client.post("/dashboard/two-factor/", {"code": _code(old_key, 1)}).status_code == 400


def test_production_mode_requires_it_and_check_deploy_warns_if_it_is_switched_off():
    on = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.STAFF_TWO_FACTOR)",
        env=PRODUCTION_ENV,
    )  # fmt: skip
    assert on.stdout.split()[-1] == "True", on.stderr

    off = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={**PRODUCTION_ENV, "STAFF_TWO_FACTOR": "0"},
    )  # fmt: skip
    assert off.returncode != 0
    assert "core.W001" in off.stdout + off.stderr
