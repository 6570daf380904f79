"""Booking a call from the site, and watching it go from queued to confirmed."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from consultations.models import Booking
from consultations.services import (
    booking_allocate,
    bookings_requeue_stale,
)
from core.outbox import deliver
from tests.factories import BookingFactory, BookingFormFactory
from tests.waiting import wait_for

Product = get_model("catalogue", "Product")


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _slots(html):
    return re.findall(r'name="slot" id="slot-\d+-\d+" value="([^"]+)"', html)


def test_the_product_page_leads_to_the_booking_form_on_the_right_topic(client, demo):
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")
    page = client.get(lumbotrain.get_absolute_url()).content.decode()
    assert f'href="/consultations/book/?product={lumbotrain.pk}"' in page

    form = client.get(f"/consultations/book/?product={lumbotrain.pk}").content.decode()

    assert re.search(r'<option value="back" selected>', form)
    assert _slots(form), "free times are listed"
    assert "no-store" in client.get("/consultations/book/")["Cache-Control"]


def test_times_are_shown_in_the_customers_zone(client, demo):
    sydney = client.get("/consultations/book/", {"topic": "back", "time_zone": "Australia/Sydney"})
    perth = client.get("/consultations/book/", {"topic": "back", "time_zone": "Australia/Perth"})

    assert _slots(sydney.content.decode()) == _slots(perth.content.decode())  # same instants
    first = datetime.fromisoformat(_slots(perth.content.decode())[0])
    local = first.astimezone(ZoneInfo("Australia/Perth")).strftime("%-I:%M %p").lower()
    assert local in perth.content.decode()
    assert client.session["booking_time_zone"] == "Australia/Perth"  # remembered


def test_booking_queues_then_the_worker_confirms_and_emails_an_invite(
    client, demo, django_capture_on_commit_callbacks
):
    form = client.get("/consultations/book/", {"topic": "back", "time_zone": "Australia/Perth"})
    slot = _slots(form.content.decode())[3]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/consultations/book/", BookingFormFactory(time_zone="Australia/Perth", slot=slot)
        )

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == "queued" and booking.starts_at == datetime.fromisoformat(slot)
    assert len(callbacks) == 1
    page = client.get(response["Location"]).content.decode()
    assert "number 1" in page and "in the queue" in page
    assert client.get(response["Location"] + "status.json").json() == {
        "status": "queued",
        "position": 1,
    }

    booking_allocate(booking_id=booking.pk)
    deliver(kind="booking.confirmation", pk=booking.pk)
    deliver(kind="booking.confirmation", pk=booking.pk)  # a retry sends nothing

    page = client.get(response["Location"]).content.decode()
    booking.refresh_from_db()
    assert "Your call is confirmed" in page and booking.expert.display_name in page
    assert "(Perth (WA, no daylight saving))" in page
    perth = datetime.fromisoformat(slot).astimezone(ZoneInfo("Australia/Perth"))
    assert perth.strftime("%-I:%M %p") in page  # the customer's own clock, not Sydney's
    assert perth.strftime("%-I:%M %p") in mail.outbox[0].body
    assert len(mail.outbox) == 1
    name, content, mimetype = mail.outbox[0].attachments[0]
    content = content.decode() if isinstance(content, bytes) else content
    assert mimetype.startswith("text/calendar") and "METHOD:REQUEST" in content
    invite = client.get(response["Location"] + "invite.ics")
    assert invite.status_code == 200 and b"BEGIN:VEVENT" in invite.content


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        ("2020-01-01T00:00:00+00:00", "That time is no longer free"),  # the past
        (
            (timezone.now() + timedelta(days=40)).isoformat(),
            "That time is no longer free",
        ),  # horizon
        ("not-a-time", "Choose one of the times shown"),
        ("", "Choose a time, or the earliest available"),
    ],
)
def test_a_time_that_cannot_be_booked_is_refused_and_the_form_keeps_the_rest(
    client, demo, slot, message
):
    response = client.post("/consultations/book/", BookingFormFactory(slot=slot))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Mia Nguyen"' in html and "Which size of LumboTrain?" in html
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("consent", "", "Please tick the box"),
        ("email", "mia@", "Enter a valid email address"),
        ("phone", "+44 20 7946 0958", "Enter an Australian phone number"),
        ("product", "999999", "Select a valid choice"),
    ],
)
def test_bad_details_are_refused_beside_their_field(client, demo, field, value, message):
    response = client.post("/consultations/book/", BookingFormFactory(**{field: value}))

    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_topic_is_refused(client, demo):
    response = client.post("/consultations/book/", BookingFormFactory(topic="99999"))

    assert response.status_code == 400
    assert Booking.objects.count() == 0


def test_a_tampered_token_is_404(client, demo):
    for url in ("/consultations/booking/not-a-token/", "/consultations/booking/" + "x" * 500 + "/"):
        assert client.get(url).status_code == 404


def test_a_real_worker_confirms_a_booking_and_the_sweep_recovers_a_lost_message(
    client, celery_worker, load_demo
):
    load_demo()

    response = client.post("/consultations/book/", BookingFormFactory())
    booking = Booking.objects.get()
    wait_for(lambda: Booking.objects.get(pk=booking.pk).status == "confirmed")
    wait_for(lambda: len(mail.outbox) == 1)
    assert response.status_code == 302

    # a booking whose message never reached Redis (queued three minutes ago, nothing sent)
    lost = BookingFactory(
        starts_at=booking.starts_at,
        name="Lee",
        email="lee@example.com",
        queued_at=timezone.now() - timedelta(minutes=3),
    )
    assert bookings_requeue_stale() == 1
    wait_for(lambda: Booking.objects.get(pk=lost.pk).status != "queued")
    assert Booking.objects.get(pk=lost.pk).expert != Booking.objects.get(pk=booking.pk).expert


@pytest.mark.parametrize("status", ["queued", "needs_new_time", "waitlisted"])
def test_a_customer_still_waiting_can_withdraw_from_their_page(client, demo, status):
    # given a customer whose request is still waiting for a time
    form = client.get("/consultations/book/", {"topic": "back"})
    slot = _slots(form.content.decode())[1]
    client.post("/consultations/book/", BookingFormFactory(slot=slot))
    booking = Booking.objects.get()
    Booking.objects.filter(pk=booking.pk).update(status=status)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Withdraw my request" in page

    # when they withdraw it
    response = client.post(
        booking.get_absolute_url(), {"action": "cancel", "version": str(booking.sequence)}
    )

    # then it is cancelled, and the page says so
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert "This booking is cancelled" in client.get(booking.get_absolute_url()).content.decode()


def test_a_nul_byte_for_the_topic_is_a_form_error_not_a_database_error(client, demo):
    # PostgreSQL refuses NUL in text; the page must never pass one to it (found by fuzzing).
    assert client.get("/consultations/book/", {"topic": "\x00"}).status_code == 200
    assert client.post("/consultations/book/", {"topic": "\x00"}).status_code == 400
