"""Wrong passwords are throttled per account and address, and per address, on every login form.

After LOGIN_FAILURE_LIMIT (5) wrong passwords for one account from one address, that account
is refused from that address for LOGIN_LOCKOUT_MINUTES (15), even with the right password;
after LOGIN_FAILURE_LIMIT_PER_ADDRESS (20) from one address, for any accounts, every account is
refused from it. The visitor gets a page that says why and when to try again (429,
Retry-After), never a 500. Nobody can lock a named account from elsewhere: its owner's right
password from another address still signs in. Counts live in the database (django-axes),
shared by every web process.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.test.factories import create_product

from tests.shop.checkout_steps import add_to_basket

PASSWORD = "harbour-street-12"
WRONG = "harbour-street-13"
LIMIT = 5
PER_ADDRESS = 20


@pytest.fixture
def mia(db):
    return get_user_model().objects.create_user(
        username="mia", email="mia@example.com.au", password=PASSWORD, is_staff=True
    )


def _customer_login(client, email, password, address="198.51.100.7", **extra):
    return client.post(
        "/accounts/login/",
        {"login-username": email, "login-password": password, "login_submit": "Log in"},
        REMOTE_ADDR=address,
        **extra,
    )


def _dashboard_login(client, email, password, address="198.51.100.7"):
    return client.post(
        "/dashboard/login/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def _assert_locked_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert "try again in 15 minutes" in html
    assert 'href="/password-reset/"' in html
    assert response["Retry-After"] == str(15 * 60)


def _signed_in(client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


def test_the_fifth_wrong_password_locks_the_account_and_says_so(client, mia):
    for _ in range(LIMIT - 1):
        response = _customer_login(client, "mia@example.com.au", WRONG)
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()

    _assert_locked_page(_customer_login(client, "mia@example.com.au", WRONG))
    _assert_locked_page(_customer_login(client, "mia@example.com.au", PASSWORD))
    assert not _signed_in(client)


def test_guesses_from_elsewhere_never_lock_the_owner_out(client, mia):
    for n in range(3):
        for _ in range(LIMIT):
            _customer_login(client, "mia@example.com.au", WRONG, address=f"203.0.113.{n}")
    _assert_locked_page(_customer_login(client, "mia@example.com.au", PASSWORD, "203.0.113.1"))

    owner = _customer_login(client, "mia@example.com.au", PASSWORD, "192.0.2.1")

    assert owner.status_code == 302
    assert _signed_in(client)


def test_spelling_the_address_differently_is_the_same_account(client, mia):
    spellings = [
        "MIA@example.com.au",
        "Mia@Example.com.au",
        " mia@example.com.au",
        "mia@EXAMPLE.COM.AU",
    ]
    for spelling in [*spellings, "mia@example.com.au"]:
        _customer_login(client, spelling, WRONG)

    _assert_locked_page(_customer_login(client, "mia@example.com.au", PASSWORD))


def test_an_address_trying_many_accounts_is_locked_out_of_all_of_them(client, mia):
    for n in range(PER_ADDRESS - 1):
        assert _customer_login(client, f"someone{n}@example.com", WRONG).status_code == 200
    _assert_locked_page(_customer_login(client, "someone@example.com", WRONG))

    _assert_locked_page(_customer_login(client, "mia@example.com.au", PASSWORD))
    assert not _signed_in(client)
    assert _customer_login(client, "mia@example.com.au", PASSWORD, "192.0.2.1").status_code == 302


def test_a_locked_out_member_of_staff_still_signs_in_from_their_own_address_with_the_second_factor(
    client, mia, settings
):
    settings.STAFF_TWO_FACTOR = True
    for _ in range(LIMIT * 2):  # an outsider, during a sale
        _dashboard_login(client, "mia@example.com.au", WRONG, address="203.0.113.50")

    response = _dashboard_login(client, "mia@example.com.au", PASSWORD, address="192.0.2.8")

    assert response.status_code == 302
    assert client.get("/dashboard/").url.startswith("/dashboard/two-factor/")


def test_after_the_pause_the_right_password_works_again(client, mia):
    for _ in range(LIMIT):
        _customer_login(client, "mia@example.com.au", WRONG)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert _customer_login(client, "mia@example.com.au", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_dashboard_login_is_throttled_too(client, mia):
    for _ in range(LIMIT - 1):
        assert _dashboard_login(client, "mia@example.com.au", WRONG).status_code == 200

    _assert_locked_page(_dashboard_login(client, "mia@example.com.au", WRONG))
    _assert_locked_page(_dashboard_login(client, "mia@example.com.au", PASSWORD))
    assert client.get("/dashboard/").status_code == 302  # still asked to log in


def test_checkout_sign_in_counts_towards_the_same_limit(client, mia):
    product = create_product(upc="THROTTLE-1", price=50, num_in_stock=5)
    add_to_basket(client, product.upc)
    for _ in range(LIMIT - 1):
        _customer_login(client, "mia@example.com.au", WRONG)

    response = client.post(
        "/checkout/",
        {"username": "mia@example.com.au", "options": "existing", "password": WRONG},
        REMOTE_ADDR="198.51.100.7",
    )

    _assert_locked_page(response)


def test_behind_the_proxy_the_forwarded_address_counts_and_cannot_be_forged(client, mia, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(PER_ADDRESS):
        # The attacker writes a new address into X-Forwarded-For each time; the proxy
        # (REMOTE_ADDR) appends the one it really saw.
        _customer_login(
            client,
            f"someone{n}@example.com",
            WRONG,
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )

    from_attacker = _customer_login(
        client, "mia@example.com.au", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    from_someone_else = _customer_login(
        client, "mia@example.com.au", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20"
    )

    _assert_locked_page(from_attacker)
    assert from_someone_else.status_code == 302, "one visitor's lockout is not the proxy's"
