"""Customers sign in without a password: a 6-digit code or a one-time link e-mailed to the
account's address (accounts/signin.py). Used once, for ten minutes, five wrong tries kill a
code, limited per connection and per address; never for staff; no answer says whether an
address has an account."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from accounts.models import SignInCode
from core.outbox import deliver
from tests.factories import CustomerFactory, StaffFactory

PAGE = "/accounts/sign-in-by-email/"


@pytest.fixture
def mia(db):
    return CustomerFactory(username="mia", email="mia@example.com.au")


def _ask(client, email, address="198.51.100.9"):
    return client.post(PAGE, {"email": email}, REMOTE_ADDR=address)


def _emailed(email):
    """The code and the link path of the code e-mailed to `email` (the outbox sends it)."""
    for code in SignInCode.objects.filter(email__iexact=email, sent_at__isnull=True):
        deliver(kind="account.sign_in_code", pk=code.pk)
    message = [m for m in mail.outbox if m.to == [email]][-1]
    code = re.search(r"sign-in code: (\d{6})", message.subject)[1]
    link = re.search(r"https?://\S+/accounts/sign-in-by-email/\S+/", message.body)[0]
    return code, urlsplit(link).path


def _signed_in_as(client):
    from django.contrib.auth import get_user

    return get_user(client)


def test_a_customer_signs_in_with_the_emailed_code(mia):
    client = Client()
    response = _ask(client, "MIA@example.com.au")
    assert response.status_code == 302 and response["Location"].endswith("/code/")
    code, _ = _emailed("mia@example.com.au")

    page = client.get(PAGE + "code/").content.decode()
    assert "If an account uses" in page
    response = client.post(PAGE + "code/", {"code": code})
    assert response.status_code == 302
    assert _signed_in_as(client) == mia
    # the code is used up: it does not sign anyone in again
    other = Client()
    _ask(other, "mia@example.com.au", address="198.51.100.10")
    assert other.post(PAGE + "code/", {"code": code}).status_code == 400


def test_the_link_signs_in_once(mia):
    _ask(Client(), "mia@example.com.au")
    _, link = _emailed("mia@example.com.au")

    visitor = Client()
    assert visitor.get(link).status_code == 302
    assert _signed_in_as(visitor) == mia
    assert Client().get(link).status_code == 404
    assert Client().get(PAGE + "made-up/").status_code == 404


def test_five_wrong_codes_kill_the_code_and_the_page_says_the_same_each_time(mia):
    client = Client()
    _ask(client, "mia@example.com.au")
    code, _ = _emailed("mia@example.com.au")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for _ in range(5):
        response = client.post(PAGE + "code/", {"code": wrong})
        assert response.status_code == 400
        assert "That code is not right, or no longer works" in response.content.decode()
    assert client.post(PAGE + "code/", {"code": code}).status_code == 400  # dead now
    assert not _signed_in_as(client).is_authenticated


def test_a_code_expires_after_ten_minutes(mia, clock):
    clock.set("2027-05-03 09:00")
    client = Client()
    _ask(client, "mia@example.com.au")
    code, link = _emailed("mia@example.com.au")

    clock.move(minutes=10, seconds=1)
    assert client.post(PAGE + "code/", {"code": code}).status_code == 400
    assert Client().get(link).status_code == 404


def test_no_answer_says_whether_an_address_has_an_account(mia):
    known, unknown = Client(), Client()
    a = _ask(known, "mia@example.com.au")
    b = _ask(unknown, "nobody@example.com.au", address="198.51.100.11")
    assert a.status_code == b.status_code == 302 and a["Location"] == b["Location"]
    page_a = known.get(PAGE + "code/").content.decode().replace("mia@example.com.au", "X")
    page_b = unknown.get(PAGE + "code/").content.decode().replace("nobody@example.com.au", "X")
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert strip.sub("", page_a) == strip.sub("", page_b)
    assert not SignInCode.objects.filter(email="nobody@example.com.au").exists()
    assert unknown.post(PAGE + "code/", {"code": "123456"}).status_code == 400


def test_staff_never_get_a_code(db):
    StaffFactory(username="lena", email="lena@example.com", role="Consultation lead")
    _ask(Client(), "lena@example.com")
    assert not SignInCode.objects.exists()


def test_asking_is_limited_per_address_and_per_connection(mia, settings):
    settings.SIGN_IN_CODE_EMAILS_PER_HOUR = 3
    for n in range(3):
        assert (
            _ask(Client(), "mia@example.com.au", address=f"198.51.100.{20 + n}").status_code == 302
        )
    refused = _ask(Client(), "mia@example.com.au", address="198.51.100.30")
    assert refused.status_code == 429 and "codes to this address" in refused.content.decode()
    assert SignInCode.objects.count() == 3

    settings.SIGN_IN_CODE_RATE_LIMIT = "2/h"
    for n in range(2):
        assert _ask(Client(), f"x{n}@example.com", address="203.0.113.5").status_code == 302
    refused = _ask(Client(), "x9@example.com", address="203.0.113.5")
    assert refused.status_code == 429 and "from your connection" in refused.content.decode()
    assert refused["Retry-After"]


def test_bad_input_is_refused_beside_the_field(mia):
    client = Client()
    response = client.post(PAGE, {"email": "not an address"})
    assert response.status_code == 400 and "Enter an e-mail address" in response.content.decode()
    assert 'value="not an address"' in response.content.decode()  # nothing typed is lost
    _ask(client, "mia@example.com.au")
    response = client.post(PAGE + "code/", {"code": "12ab"})
    assert response.status_code == 400 and "The code is 6 digits" in response.content.decode()


def test_signing_in_by_code_proves_the_address_for_the_account_pages(mia):
    from tests.factories import EnquiryFactory

    enquiry = EnquiryFactory(email="mia@example.com.au")
    client = Client()
    _ask(client, "mia@example.com.au")
    code, _ = _emailed("mia@example.com.au")
    client.post(PAGE + "code/", {"code": code})

    page = client.get("/accounts/health-fund-enquiries/").content.decode()
    assert enquiry.reference in page


def test_the_login_page_offers_it(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert f'href="{PAGE}"' in page


def test_the_code_reaches_no_log_and_is_encrypted_at_rest(mia, caplog):
    import logging

    from django.db import connection

    caplog.set_level(logging.DEBUG)
    client = Client()
    _ask(client, "mia@example.com.au")
    code, link = _emailed("mia@example.com.au")
    client.post(PAGE + "code/", {"code": code})

    assert code not in caplog.text and link not in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM accounts_signincode")
        assert code not in cursor.fetchone()[0]
