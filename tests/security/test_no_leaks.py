"""What a customer types into the enquiry and booking forms stays in the database.

A marker goes into every field that takes free text (name, e-mail address, phone, fund name,
membership number, size, referral details, question, the upload's name and content; the
booking's name, e-mail, phone and description). The forms are sent, accepted and refused, and
a real Celery worker on the configured Redis sends the enquiry's e-mails and allocates and
confirms the booking. Then the marker must be absent from:

- every log record of every logger, all set to DEBUG, the worker's included;
- every task message the site published (arguments, keyword arguments, headers) and every
  task's return value;
- everything left in Redis (results, queued messages, cached pages);
- the error pages a visitor can meet with those entries: 404 for a made-up link, 400 for a
  body too large, 403 for a form without its CSRF token, 429 for too many enquiries, the 500
  page, and the refused form itself outside the fields that show the customer their own
  entries (on a page no browser or proxy may store);
- the enquiry's e-mails, for the health details (they say only that an enquiry came in).
"""

import logging
import re
import secrets

import pytest
from celery.signals import before_task_publish, task_postrun
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import get_resolver
from oscar.test.factories import create_product

from consultations.models import Booking
from insurance.models import Enquiry, HealthFund
from tests.factories import BookingFormFactory, ExpertFactory
from tests.waiting import wait_for

MARKER = f"MARKER-7f3a{secrets.token_hex(4)}"
PHONE = "0491 570 156"  # a number in the range set aside for fiction; as stored: +61491570156
PHONE_DIGITS = ("0491570156", "491570156")


def _leaks(text: str) -> list[str]:
    """Where the marker (or the phone number) appears in `text`, with some context."""
    found = [
        text[max(0, m.start() - 60) : m.end() + 60]
        for m in re.finditer(re.escape(MARKER), text, re.IGNORECASE)
    ]
    digits = re.sub(r"[\s+]", "", text)
    return found + [f"phone {d}" for d in PHONE_DIGITS if d in digits]


@pytest.fixture
def everything_logged(caplog):
    """caplog's handler on every logger, each at DEBUG (restored afterwards by caplog)."""
    names = ["", *logging.Logger.manager.loggerDict]
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    lonely = [
        logger
        for logger in map(logging.getLogger, names[1:])
        if not logger.propagate and caplog.handler not in logger.handlers
    ]
    for logger in lonely:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in lonely:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def tasks_seen():
    """Every task message published (body and headers) and every task's return value."""
    seen = {"published": [], "returned": []}

    def published(body=None, headers=None, **kwargs):
        seen["published"].append(f"{headers!r} {body!r}")

    def returned(task=None, args=None, kwargs=None, retval=None, **extra):
        seen["returned"].append(f"{task.name} {args!r} {kwargs!r} {retval!r}")

    before_task_publish.connect(published, weak=False)
    task_postrun.connect(returned, weak=False)
    yield seen
    before_task_publish.disconnect(published)
    task_postrun.disconnect(returned)


def _enquiry(product, **changes):
    other = HealthFund.objects.get(is_other=True)
    return {
        "name": f"Mia {MARKER}-name", "email": f"mia.{MARKER}@example.com.au".lower(),
        "phone": PHONE, "state": "NSW", "postcode": "2000", "fund": other.pk,
        "fund_other_name": f"{MARKER}-fund", "membership_number": f"{MARKER}-member",
        "cover_level": "top", "product": product.pk, "size": f"{MARKER}-size",
        "referral": "physiotherapist", "referral_details": f"Dr Lee {MARKER}-referral",
        "question": f"Is my sciatica covered? {MARKER}-question", "contact_preference": "phone",
        "consent": "on",
        "upload": SimpleUploadedFile(f"{MARKER}-scan.pdf", f"%PDF-1.4 {MARKER}-pdf".encode()),
        **changes,
    }  # fmt: skip


def _booking(**changes):
    """The booking form, the marker in every field that takes free text."""
    marked = {
        "time_zone": "Australia/Perth", "name": f"Mia {MARKER}-booker",
        "email": f"mia.{MARKER}-b@example.com.au".lower(), "phone": PHONE,
        "description": f"Pain after lifting {MARKER}-description",
    }  # fmt: skip
    return BookingFormFactory(**{**marked, **changes})


def _outside_the_fields(html: str) -> str:
    """The page without the form's own inputs and text areas, where the customer sees what
    they typed so they can correct it."""
    html = re.sub(r"<textarea[^>]*>.*?</textarea>", "", html, flags=re.DOTALL)
    return re.sub(r"<input[^>]*>", "", html)


def test_a_customers_entries_reach_no_log_task_result_redis_key_or_error_page(
    celery_worker, redis_conn, everything_logged, tasks_seen, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.ENQUIRY_RATE_LIMIT = "1/h"
    product = create_product(title="LumboTrain", price=220)
    ExpertFactory(display_name="Anna")  # free every day, 9 to 5 Sydney time
    client, error_pages = Client(), {}

    # Refused, then accepted: the enquiry.
    refused = client.post("/insurance/enquiry/", _enquiry(product, email=f"{MARKER}@"))
    assert refused.status_code == 400 and "no-store" in refused["Cache-Control"]
    error_pages["refused enquiry form"] = _outside_the_fields(refused.content.decode())
    sent = client.post("/insurance/enquiry/", _enquiry(product))
    assert sent.status_code == 302, _outside_the_fields(sent.content.decode())[:3000]
    enquiry = Enquiry.objects.get()
    assert client.get(sent["Location"]).status_code == 200

    # Refused, then accepted: the booking, which the worker confirms.
    refused = client.post("/consultations/book/", _booking(email=f"{MARKER}@"))
    assert refused.status_code == 400 and "no-store" in refused["Cache-Control"]
    error_pages["refused booking form"] = _outside_the_fields(refused.content.decode())
    booked = client.post("/consultations/book/", _booking())
    assert booked.status_code == 302
    booking = Booking.objects.get()
    wait_for(lambda: Booking.objects.filter(pk=booking.pk, confirmation_sent_at__isnull=False))
    wait_for(lambda: Enquiry.objects.filter(pk=enquiry.pk, staff_notified_at__isnull=False))
    wait_for(lambda: Enquiry.objects.filter(pk=enquiry.pk, acknowledgement_sent_at__isnull=False))
    assert client.get(booked["Location"]).status_code == 200

    # The error pages a visitor carrying those entries can meet. (A 404 logs the path it was
    # asked for, so the made-up links carry the marker only in their query.)
    guess = secrets.token_urlsafe(8)
    for url in [
        f"/insurance/enquiry/sent/{guess}/?email={MARKER}",
        f"/consultations/booking/{guess}/?name={MARKER}&phone={PHONE}",
        f"/consultations/booking/{guess}/invite.ics?description={MARKER}",
    ]:
        page = client.get(url)
        assert page.status_code == 404
        error_pages[f"404 {url}"] = page.content.decode()
    too_big = client.post("/insurance/enquiry/", {"question": MARKER * 200_000})
    assert too_big.status_code == 400
    error_pages["400 body too large"] = too_big.content.decode()
    no_token = Client(enforce_csrf_checks=True).post("/consultations/book/", _booking())
    assert no_token.status_code == 403
    error_pages["403 CSRF"] = no_token.content.decode()
    limited = client.post("/insurance/enquiry/", _enquiry(product))  # the second in the hour
    assert limited.status_code == 429
    # the form keeps what was typed in its fields (nothing lost); nothing outside them
    error_pages["429 too many enquiries"] = _outside_the_fields(limited.content.decode())
    request = RequestFactory().post(f"/insurance/enquiry/?q={MARKER}", _enquiry(product))
    request.session = client.session
    server_error = get_resolver().resolve_error_handler(500)(request)
    assert server_error.status_code == 500
    error_pages["500"] = server_error.content.decode()

    # Nothing anywhere.
    records = [
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {r.args!r}"
        for r in everything_logged.records
    ]
    assert len(records) > 10, "the worker and the site logged what they did"
    assert any("Enquiry" in r and enquiry.reference in r for r in records)
    assert len(tasks_seen["published"]) >= 4 and len(tasks_seen["returned"]) >= 4
    places = {
        **{f"log {i}": text for i, text in enumerate(records)},
        **{f"task message {i}": text for i, text in enumerate(tasks_seen["published"])},
        **{f"task result {i}": text for i, text in enumerate(tasks_seen["returned"])},
        **{f"redis {key}": text for key, text in _redis_contents(redis_conn).items()},
        **{f"error page: {name}": html for name, html in error_pages.items()},
    }
    leaks = {place: found for place, text in places.items() if (found := _leaks(text))}
    assert leaks == {}, "\n".join(f"{place}: {found}" for place, found in leaks.items())

    # The enquiry's e-mails say an enquiry came in; its health details stay in the dashboard.
    health = ("-member", "-referral", "-question", "-scan", "-pdf", "-size", "-fund")
    enquiry_mails = [m for m in mail.outbox if enquiry.reference in m.subject + m.body]
    assert len(enquiry_mails) == 2
    for message in enquiry_mails:
        text = f"{message.subject} {message.body} {message.alternatives!r}"
        assert not [part for part in health if f"{MARKER}{part}".lower() in text.lower()]


def _redis_contents(client) -> dict[str, str]:
    """Every key of the configured Redis database, with its value whatever its type."""
    readers = {
        b"string": client.get,
        b"list": lambda key: client.lrange(key, 0, -1),
        b"hash": client.hgetall,
        b"set": client.smembers,
        b"zset": lambda key: client.zrange(key, 0, -1),
        b"stream": lambda key: client.xrange(key),
    }
    contents = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        kind = kind if isinstance(kind, bytes) else kind.encode()
        value = readers.get(kind, lambda key: b"")(key)
        contents[repr(key)] = f"{key!r} {value!r}"
    return contents
