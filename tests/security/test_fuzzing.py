"""Every public form, fed hostile input by hypothesis: never a server error, never half a record.

Each example starts from a valid submission and changes it the way a broken client or an
attacker would: random text, control characters (NUL included), huge values, wrong types
(numbers where a choice is expected, a file where text is), fields left out and fields sent
twice or three times. Whatever arrives, the answer is a page (2xx/3xx) or a refusal (4xx),
never a 500, and the rows the form writes are either one complete, valid record or nothing.

The demo is loaded once for the module, in a transaction rolled back at its end; each test
runs in its own savepoint inside it, as every other database test does.
"""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from consultations.models import Booking, Topic
from core.australia import STATE_CHOICES, validate_postcode
from insurance.models import AuditEntry, Enquiry, HealthFund
from tests.shop.checkout_steps import ADDRESS

Product = get_model("catalogue", "Product")
Line = get_model("basket", "Line")

FUZZ = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LIGHT_FUZZ = hypothesis_settings(FUZZ, max_examples=25)  # pages that read a query, write nothing
User = get_user_model()

# What arrives in a field ---------------------------------------------------------------

NASTY = st.sampled_from(
    [
        "", " ", "\x00", "a\x00b", "\x00" * 50, "\r\n", "\t\x0b\x0c", "\x1b[31m", "\x7f",
        "\u202e\u200b", "\ufeff", "\ud7ff", "🙂" * 40, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ß" * 300,
        "0", "-1", "-0", "1.5", "1e309", "-1e309", "NaN", "inf", "0x1F", "99999999999999999999",
        "9" * 400, "x" * 20_000, "on", "true", "null", "[]", "{}", '{"a": 1}',
        "<script>alert(1)</script>", "' OR 1=1 --", "%00", "%", "../../etc/passwd", "\\",
        "2026-02-30T25:61:00+99:00", "earliest", "mia@", "@example.com", "a@b", "0412 345 678",
    ]
)  # fmt: skip
CONTROL = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=20)
TEXT = st.one_of(
    st.text(max_size=200), NASTY, CONTROL, st.integers().map(str), st.floats().map(str)
)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))  # a field sent repeatedly
FILE = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["a.pdf", "a.png", "a.txt", "../../x.pdf", "\x00.pdf", "x" * 300]),
    st.one_of(st.binary(max_size=300), st.binary(max_size=64).map(lambda b: b"%PDF-1.4" + b)),
)
POSTED = st.one_of(VALUE, FILE)  # multipart: any field may arrive as a file


@st.composite
def hostile(draw, valid: dict, values=POSTED):
    """A valid submission with some fields changed, some left out, maybe unknown ones added."""
    names = sorted(valid)
    changed = draw(st.dictionaries(st.sampled_from(names), values, max_size=4))
    missing = draw(st.sets(st.sampled_from(names), max_size=3))
    unknown = draw(st.dictionaries(st.sampled_from(["x", "id", "pk", "csrfmiddlewaretoken"]), TEXT))
    data = {**valid, **changed, **unknown}
    return {name: value for name, value in data.items() if name not in missing}


def _not_a_server_error(response):
    assert response.status_code < 500, response.status_code
    return response


def _counts(*models):
    return tuple(model.objects.count() for model in models)


# The demo, once for the module ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def site(demo, db, settings, tmp_path):
    """The demo's pictures where its pages look for them; enquiry uploads in this test's folder;
    the form limits out of the way (tests/core/test_limits.py proves them)."""
    settings.MEDIA_ROOT = demo
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.ENQUIRY_RATE_LIMIT = settings.BOOKING_RATE_LIMIT = "100000/h"
    settings.BOOKING_OPEN_PER_EMAIL = settings.UNCONFIRMED_ADDRESS_EMAILS_PER_DAY = 100000


@pytest.fixture
def lumbotrain(site):
    return Product.objects.get(upc="LUMBOTRAIN")


# The health-fund enquiry ---------------------------------------------------------------


@pytest.fixture
def enquiry_form(lumbotrain):
    return {
        "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "0412 345 678",
        "state": "NSW", "postcode": "2000", "fund": str(HealthFund.objects.get(slug="bupa").pk),
        "fund_other_name": "", "membership_number": "M-1234", "cover_level": "top",
        "product": str(lumbotrain.pk), "size": "3", "referral": "physiotherapist",
        "referral_details": "Dr Lee", "question": "Can I claim for my lower back?",
        "contact_preference": "email", "consent": "on", "website": "",
    }  # fmt: skip


@FUZZ
@given(data=st.data())
def test_the_enquiry_form_saves_a_whole_enquiry_or_nothing(client, enquiry_form, settings, data):
    form = data.draw(hostile(enquiry_form))
    before = _counts(Enquiry, AuditEntry)
    files_before = _files(settings.PRIVATE_MEDIA_ROOT)

    response = _not_a_server_error(client.post("/insurance/enquiry/", form))

    if response.status_code == 302:
        assert _counts(Enquiry, AuditEntry) == (before[0] + 1, before[1] + 1)
        enquiry = Enquiry.objects.order_by("-pk").first()
        assert response["Location"] == f"/insurance/enquiry/sent/{enquiry.reference}/"
        enquiry.full_clean()  # every field valid, as stored
        assert enquiry.question.strip() and enquiry.consent_text and enquiry.indicative_answer
        assert validate_postcode(enquiry.postcode, enquiry.state)
        stored_a_file = len(_files(settings.PRIVATE_MEDIA_ROOT)) == len(files_before) + 1
        assert bool(enquiry.upload) == stored_a_file
    else:
        assert response.status_code in (400, 429), response.status_code
        assert _counts(Enquiry, AuditEntry) == before
        assert _files(settings.PRIVATE_MEDIA_ROOT) == files_before  # no orphan upload


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# The booking form ----------------------------------------------------------------------


@pytest.fixture
def booking_form(site):
    return {
        "topic": str(Topic.objects.get(slug="back").pk), "time_zone": "Australia/Perth",
        "slot": "earliest", "name": "Mia Nguyen", "email": "mia@example.com.au",
        "phone": "", "product": "", "description": "Which size of LumboTrain?", "consent": "on",
    }  # fmt: skip


@FUZZ
@given(data=st.data())
def test_the_booking_form_saves_a_whole_booking_or_nothing(client, booking_form, data):
    form = data.draw(hostile(booking_form))
    before = Booking.objects.count()

    response = _not_a_server_error(client.post("/consultations/book/", form))

    if response.status_code == 302:
        assert Booking.objects.count() == before + 1
        booking = Booking.objects.order_by("-pk").first()
        assert response["Location"] == booking.get_absolute_url()
        booking.full_clean()
        assert booking.status == Booking.Status.QUEUED and booking.starts_at < booking.ends_at
        assert booking.description.strip() and booking.consent_text
    else:
        assert response.status_code == 400, response.status_code
        assert Booking.objects.count() == before


# Add to basket, and the basket's own form ----------------------------------------------


def _basket_is_whole():
    """Every line is a product the shop sells, in a quantity of one or more, with its price."""
    for line in Line.objects.select_related("product", "stockrecord"):
        assert line.quantity >= 1 and line.product_id and line.stockrecord_id
        assert line.price_incl_tax is not None and line.price_currency == "AUD"


@FUZZ
@given(data=st.data(), sized=st.booleans())
def test_adding_to_the_basket_adds_a_whole_line_or_nothing(client, lumbotrain, data, sized):
    if sized:
        child = lumbotrain.children.filter(stockrecords__num_in_stock__gt=0).first()
        url, valid = f"/basket/add/{lumbotrain.pk}/", {"child_id": str(child.pk), "quantity": "1"}
    else:
        plain = Product.objects.filter(structure="standalone", stockrecords__num_in_stock__gt=5)
        url, valid = f"/basket/add/{plain.first().pk}/", {"quantity": "1"}
    form = data.draw(hostile(valid))
    before = sorted(Line.objects.values_list("product_id", "quantity"))

    response = _not_a_server_error(client.post(url, form))

    after = sorted(Line.objects.values_list("product_id", "quantity"))
    if response.status_code == 302:
        assert len(after) in (len(before), len(before) + 1)
    else:
        assert response.status_code == 400, response.status_code
        assert after == before
    _basket_is_whole()


@FUZZ
@given(data=st.data())
def test_the_basket_page_updates_whole_lines_or_nothing(client, lumbotrain, data):
    if not Line.objects.exists():
        child = lumbotrain.children.filter(stockrecords__num_in_stock__gt=3).first()
        client.post(f"/basket/add/{lumbotrain.pk}/", {"child_id": child.pk, "quantity": 2})
    line = Line.objects.get()
    valid = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": str(line.pk), "form-0-quantity": "3",
        "form-0-save_for_later": "", "form-0-DELETE": "",
    }  # fmt: skip
    form = data.draw(hostile(valid, values=VALUE))
    before = sorted(Line.objects.values_list("pk", "quantity"))

    response = _not_a_server_error(client.post("/basket/", form))

    if response.status_code >= 400:
        assert response.status_code == 400, response.status_code
        assert sorted(Line.objects.values_list("pk", "quantity")) == before
    _basket_is_whole()


# Guest checkout: the shipping address --------------------------------------------------


@pytest.fixture
def guest_at_the_address_step(client, lumbotrain):
    child = lumbotrain.children.filter(stockrecords__num_in_stock__gt=0).first()
    client.post(f"/basket/add/{lumbotrain.pk}/", {"child_id": child.pk, "quantity": 1})
    gateway = {"username": "mia@example.com.au", "options": "anonymous"}
    assert client.post("/checkout/", gateway).status_code == 302
    return client


def _address_in_session(client):
    return client.session.get("checkout_data", {}).get("shipping", {}).get("new_address_fields")


@FUZZ
@given(data=st.data())
def test_the_guest_address_is_kept_whole_or_not_at_all(guest_at_the_address_step, data):
    client = guest_at_the_address_step
    form = data.draw(hostile({**ADDRESS, "line2": "", "notes": ""}, values=VALUE))
    before = _address_in_session(client)

    response = _not_a_server_error(client.post("/checkout/shipping-address/", form))

    kept = _address_in_session(client)
    if response.status_code == 302:
        assert response["Location"] == "/checkout/shipping-method/"
        for name in ("first_name", "last_name", "line1", "line4", "postcode", "phone_number"):
            assert kept[name].strip() and "\x00" not in kept[name], name
        assert kept["state"] in dict(STATE_CHOICES)
        assert validate_postcode(kept["postcode"], kept["state"])
    else:
        assert response.status_code == 400, response.status_code
        assert kept == before


# Registration and login ----------------------------------------------------------------

REGISTRATION = {
    "email": "mia@example.com.au", "password1": "harbour-street-12",
    "password2": "harbour-street-12", "redirect_url": "",
}  # fmt: skip


def _assert_whole_account_or_none(response, before):
    if response.status_code == 302:
        assert User.objects.count() == before + 1
        user = User.objects.order_by("-pk").first()
        user.full_clean()
        assert user.email and user.has_usable_password() and user.is_active
        assert not user.is_staff and not user.is_superuser
    else:
        assert response.status_code in (200, 400), response.status_code  # Oscar says 200
        assert User.objects.count() == before


@FUZZ
@given(data=st.data())
def test_registration_creates_a_whole_account_or_none(client, site, data):
    form = data.draw(hostile(REGISTRATION, values=VALUE))
    before = User.objects.count()

    response = _not_a_server_error(client.post("/accounts/register/", form))

    _assert_whole_account_or_none(response, before)


@FUZZ
@given(data=st.data(), submit=st.sampled_from(["login_submit", "registration_submit"]))
def test_the_login_page_never_fails_and_registers_whole_accounts_only(client, site, data, submit):
    valid = {
        "login-username": "mia@example.com.au", "login-password": "harbour-street-12",
        **{f"registration-{name}": value for name, value in REGISTRATION.items()},
        submit: "Log in",
    }  # fmt: skip
    form = data.draw(hostile(valid, values=VALUE))
    before = User.objects.count()
    AccessAttempt.objects.all().delete()  # throttling has its own tests (test_login_throttle)

    response = _not_a_server_error(client.post("/accounts/login/", form))

    if submit in form and submit == "registration_submit":
        _assert_whole_account_or_none(response, before)
    else:
        assert User.objects.count() == before
    client.logout()


# Pages with a query: search and the size finder ----------------------------------------

QUERY = st.dictionaries(
    st.sampled_from(["q", "page", "sort_by", "waist", "x", "q[]"]), VALUE, max_size=4
)


@LIGHT_FUZZ
@given(params=QUERY)
def test_search_answers_any_query(client, site, params):
    response = _not_a_server_error(client.get("/search/", {"q": "lumbotrain", **params}))

    # 400: a page number Django cannot send back in a redirect (over 2,048 characters).
    assert response.status_code in (200, 302, 400), response.status_code


@LIGHT_FUZZ
@given(params=QUERY)
def test_the_size_finder_answers_any_measurement(client, lumbotrain, params):
    response = _not_a_server_error(
        client.get(lumbotrain.get_absolute_url(), {"waist": "85", **params})
    )

    assert response.status_code == 200


# Too many fields, too large a body -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/insurance/enquiry/", "/consultations/book/", "/basket/",
        "/accounts/login/", "/accounts/register/",
    ],
)  # fmt: skip
def test_too_many_fields_or_too_large_a_body_is_refused_with_400(client, site, url):
    before = _counts(Enquiry, Booking, Line, User)

    many = client.post(url, {"name": ["x"] * 1100})  # DATA_UPLOAD_MAX_NUMBER_FIELDS: 1000
    large = client.post(url, {"name": "x" * 3_000_000})  # DATA_UPLOAD_MAX_MEMORY_SIZE: 2.5 MB

    assert (many.status_code, large.status_code) == (400, 400)
    assert _counts(Enquiry, Booking, Line, User) == before
