"""What one visitor can make the booking form do: a form sent twice books once; an address
books at most BOOKING_RATE_LIMIT calls an hour; an e-mail address holds at most
BOOKING_OPEN_PER_EMAIL open bookings; and an address nobody has confirmed is sent at most
UNCONFIRMED_ADDRESS_EMAILS_PER_DAY e-mails a day from the forms. A refused booking answers 429
with the reason, the phone number and everything typed still on the page."""

import re
import uuid

import pytest
from django.core import mail

from consultations.models import Booking
from consultations.services import booking_allocate, booking_cancel
from core.limits import visitor_key
from core.models import RateLimit
from core.outbox import deliver
from tests.factories import BookingFormFactory

PHONE = "1300 668 466"
ADDRESS = "198.51.100.7"


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _slots(client):
    html = client.get("/consultations/book/", {"topic": "back"}).content.decode()
    return re.findall(r'name="slot" id="slot-\d+-\d+" value="([^"]+)"', html)


def _book(client, slot, *, address=ADDRESS, **fields):
    """The booking form (BookingFormFactory, with ``fields`` changed) sent from ``address``."""
    return client.post(
        "/consultations/book/", BookingFormFactory(slot=slot, **fields), REMOTE_ADDR=address
    )


def _assert_refused_keeping_what_was_typed(response, reason_text):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Your call has not been booked yet." in html
    assert reason_text in html
    assert PHONE in html
    assert 'value="Mia Nguyen"' in html
    assert "Which size of LumboTrain?" in html


def test_the_form_page_carries_a_fresh_submission_key_each_time(client, demo):
    keys = [
        re.search(
            r'name="submission_key" value="([0-9a-f-]{36})"',
            client.get("/consultations/book/", {"topic": "back"}).content.decode(),
        ).group(1)
        for _ in range(2)
    ]

    assert keys[0] != keys[1]


def test_a_form_sent_twice_books_once_and_shows_the_same_booking(client, demo):
    slot, key = _slots(client)[2], str(uuid.uuid4())

    first = _book(client, slot, submission_key=key)
    again = _book(client, slot, submission_key=key)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == Booking.objects.get().get_absolute_url()
    assert len(RateLimit.objects.get(scope="booking").hits) == 1, "counted once"


def test_an_address_books_five_calls_an_hour_then_is_told_when_it_can_book_again(client, demo):
    slots = _slots(client)
    emails = [f"person{n}@example.com" for n in range(7)]

    statuses = [_book(client, slots[n], email=emails[n]).status_code for n in range(5)]
    refused = _book(client, slots[5], email=emails[5])

    assert statuses == [302] * 5
    _assert_refused_keeping_what_was_typed(
        refused, "5 calls have been sent from your connection in the last hour"
    )
    assert "about 60 minutes" in refused.content.decode()
    assert 59 * 60 < int(refused["Retry-After"]) <= 60 * 60
    assert Booking.objects.count() == 5
    assert _book(client, slots[5], email=emails[5], address="192.0.2.1").status_code == 302

    # an hour after the first booking, one place has freed (a rolling window)
    limit = RateLimit.objects.get(scope="booking", key=visitor_key(ADDRESS))
    limit.hits = [limit.hits[0] - 3601, *limit.hits[1:]]
    limit.save()
    assert _book(client, slots[6], email=emails[6]).status_code == 302


def test_an_email_address_holds_three_open_bookings_at_most(client, demo, settings):
    slots = _slots(client)
    for n in range(3):
        assert _book(client, slots[n], address=f"192.0.2.{n}").status_code == 302

    refused = _book(client, slots[3], address="192.0.2.9")

    _assert_refused_keeping_what_was_typed(refused, "already has 3 video calls booked")
    assert "Retry-After" not in refused
    # once one is cancelled, another can be booked
    booking_cancel(booking_id=Booking.objects.first().pk, version=None)
    assert _book(client, slots[3], address="192.0.2.9").status_code == 302


def test_an_unconfirmed_address_is_sent_five_form_emails_a_day_then_no_more(client, demo, settings):
    settings.BOOKING_OPEN_PER_EMAIL = 100
    slots = _slots(client)
    for n in range(5):
        assert _book(client, slots[n], address=f"192.0.2.{n}").status_code == 302

    refused = _book(client, slots[5], address="192.0.2.9")

    _assert_refused_keeping_what_was_typed(refused, "We've already sent 5 emails today")
    assert Booking.objects.count() == 5


def test_following_a_link_from_our_email_confirms_the_address_and_lifts_the_daily_cap(
    client, demo, settings
):
    settings.BOOKING_OPEN_PER_EMAIL = 100
    slots = _slots(client)
    for n in range(5):
        _book(client, slots[n], address=f"192.0.2.{n}")
    booking = Booking.objects.first()
    booking_allocate(booking_id=booking.pk)
    deliver(kind="booking.confirmation", pk=booking.pk)
    link = re.search(r"/consultations/booking/\S+\?confirm=\S+", mail.outbox[-1].body).group(0)

    assert client.get(link).status_code == 200

    assert _book(client, slots[5], address="192.0.2.9").status_code == 302


def test_a_forged_confirmation_link_confirms_nothing(client, demo, settings):
    settings.BOOKING_OPEN_PER_EMAIL = 100
    slots = _slots(client)
    for n in range(5):
        _book(client, slots[n], address=f"192.0.2.{n}")
    booking = Booking.objects.first()

    page = client.get(booking.get_absolute_url(), {"confirm": "forged:token"})

    assert page.status_code == 200
    assert _book(client, slots[5], address="192.0.2.9").status_code == 429
