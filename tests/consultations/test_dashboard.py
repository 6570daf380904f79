"""The consultation experts' and leads' screens in the dashboard: who sees what, today's board,
the calendar, and what staff do to a booking (the customer is e-mailed through the worker)."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from consultations.availability import slot_length
from consultations.models import Booking, BookingEvent
from core.outbox import deliver
from core.tasks import send_owed_email
from tests.factories import BookingFactory, ExpertFactory, StaffFactory, local_slot
from tests.plugins.local_redis import free_port
from tests.waiting import wait_for

BASE = "/dashboard/consultations/"
EXPERT = "Consultation expert"  # the role load_demo gives experts


def attachments(message):
    return "".join(a[1] if isinstance(a[1], str) else a[1].decode() for a in message.attachments)


@contextmanager
def _emails_queued(django_capture_on_commit_callbacks):
    """The booking e-mails a view queues once its transaction commits: the task's `delay`."""
    with (
        mock.patch.object(send_owed_email, "delay") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        yield send


@pytest.fixture
def team(db):
    """Anna and Ben, experts with a confirmed call each today; a lead; an editor."""
    anna = ExpertFactory(display_name="Anna", user__role=EXPERT)
    ben = ExpertFactory(display_name="Ben", user__role=EXPERT)
    today_noon = local_slot(days_ahead=0, hour=12)
    return {
        "anna": anna,
        "ben": ben,
        "lead": StaffFactory(username="lena", role="Consultation lead"),
        "editor": StaffFactory(username="eddie", role="Editor"),
        "annas_call": BookingFactory(
            confirmed=True, expert=anna, starts_at=today_noon, name="Mia Nguyen"
        ),
        "bens_call": BookingFactory(
            confirmed=True, expert=ben, starts_at=today_noon, name="Lee Walker"
        ),
    }


def pages(team):
    return [
        BASE,
        f"{BASE}calendar/",
        f"{BASE}bookings/{team['annas_call'].pk}/",
        f"{BASE}availability/",
    ]


def test_anonymous_visitors_are_sent_to_the_dashboard_login(client, team):
    for url in pages(team):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/dashboard/login/"
        ), url


def test_staff_without_the_role_get_403_everywhere(client, team):
    client.force_login(team["editor"])
    call = team["annas_call"]
    window = team["anna"].availability.first()

    for url in pages(team):
        assert client.get(url).status_code == 403, url
    for url, data in [
        (f"{BASE}bookings/{call.pk}/", {"action": "cancel"}),
        (f"{BASE}hours/{window.pk}/delete/", {}),
        (f"{BASE}experts/{team['anna'].pk}/time-off/", {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert Booking.objects.get(pk=call.pk).status == "confirmed"


def test_an_expert_sees_their_own_calls_and_nothing_of_others(client, team):
    client.force_login(team["anna"].user)
    ben, bens_call = team["ben"], team["bens_call"]
    BookingFactory(name="Quinn Queued")  # queued

    board = client.get(BASE).content.decode()
    calendar = client.get(f"{BASE}calendar/").content.decode()

    assert "Mia Nguyen" in board and "Lee Walker" not in board
    assert "Quinn Queued" not in board and "Waiting for an expert" not in board
    assert "Mia Nguyen" in calendar and "Lee Walker" not in calendar
    assert client.get(f"{BASE}bookings/{team['annas_call'].pk}/").status_code == 200
    for url in (
        f"{BASE}bookings/{bens_call.pk}/",
        f"{BASE}calendar/?expert={ben.pk}",
        f"{BASE}availability/?expert={ben.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"{BASE}bookings/{bens_call.pk}/",
        f"{BASE}hours/{ben.availability.first().pk}/delete/",
        f"{BASE}experts/{ben.pk}/time-off/",
    ):
        assert client.post(url, {"action": "cancel"}).status_code == 404, url
    assert ben.availability.count() == 7 and bens_call.events.count() == 0


def test_a_lead_sees_every_expert_and_the_queue(client, team):
    client.force_login(team["lead"])
    ben = team["ben"]
    BookingFactory(waitlisted=True, name="Quinn Waiting")

    board = client.get(BASE).content.decode()

    assert "Mia Nguyen" in board and "Lee Walker" in board and "Quinn Waiting" in board
    assert "Lee Walker" in client.get(f"{BASE}calendar/?expert={ben.pk}").content.decode()
    assert client.get(f"{BASE}bookings/{team['bens_call'].pk}/").status_code == 200
    assert client.get(f"{BASE}availability/?expert={ben.pk}").status_code == 200


def test_the_board_warns_when_the_oldest_queued_booking_is_older_than_the_sweep_interval(
    client, team, settings
):
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "sweep-stale-bookings": {"task": "x", "schedule": 600},  # every ten minutes
    }
    client.force_login(team["lead"])
    queued = BookingFactory(name="Quinn Queued")

    Booking.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(minutes=9))
    calm = client.get(BASE).content.decode()
    Booking.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(minutes=11))
    stuck = client.get(BASE).content.decode()

    assert "Quinn Queued" in calm and "The queue looks stuck" not in calm
    assert "The queue looks stuck" in stuck and "sweep interval (600 seconds)" in stuck


def test_the_board_warns_when_the_worker_is_silent_even_with_redis_down(
    client, team, settings, redis_conn
):
    client.force_login(team["anna"].user)

    no_heartbeat = client.get(BASE)
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    redis_down = client.get(BASE)

    assert "The booking worker may be down" in no_heartbeat.content.decode()
    assert redis_down.status_code == 200
    assert "Redis unreachable" in redis_down.content.decode()


def test_the_calendar_shows_a_week_in_the_experts_own_zone(client, db):
    perth = ZoneInfo("Australia/Perth")
    chloe = ExpertFactory(display_name="Chloe", time_zone="Australia/Perth", user__role=EXPERT)
    call = BookingFactory(
        confirmed=True,
        expert=chloe,
        starts_at=local_slot(days_ahead=3, hour=10, zone="Australia/Perth"),
        name="Kai Perth",
    )
    day = call.starts_at.astimezone(perth).date()
    client.force_login(chloe.user)

    week = client.get(f"{BASE}calendar/", {"date": day.isoformat()}).content.decode()
    one_day = client.get(f"{BASE}calendar/", {"date": day.isoformat(), "view": "day"})

    assert "10:00 AM Kai Perth" in week and "9:00 AM" in week and "5:00 PM" in week
    monday = day - timedelta(days=day.weekday())
    assert f"date={monday - timedelta(days=7)}" in week and f"date={monday + timedelta(7)}" in week
    assert f"date={day + timedelta(days=1)}" in one_day.content.decode()


def test_an_expert_moves_a_call_and_the_customer_gets_one_new_invite(client, celery_worker):
    anna = ExpertFactory(display_name="Anna", user__role=EXPERT)
    call = BookingFactory(
        confirmed=True,
        expert=anna,
        starts_at=local_slot(days_ahead=3),
        confirmation_sent_at=timezone.now(),
    )
    new_time = local_slot(days_ahead=4, hour=10, minute=20)  # on Anna's grid
    client.force_login(anna.user)

    page = client.get(f"{BASE}bookings/{call.pk}/").content.decode()
    response = client.post(
        f"{BASE}bookings/{call.pk}/", {"action": "reschedule", "slot": new_time.isoformat()}
    )

    assert new_time.isoformat() in page and response.status_code == 302
    wait_for(lambda: Booking.objects.get(pk=call.pk).confirmation_sent_at is not None)
    assert len(mail.outbox) == 1
    invite = mail.outbox[0]
    assert invite.to == [call.email] and "has changed" in invite.body
    ics = attachments(invite)
    assert "SEQUENCE:1" in ics and f"DTSTART:{new_time:%Y%m%dT%H%M%S}Z" in ics
    event = BookingEvent.objects.get(booking=call)
    assert (event.action, event.actor) == ("rescheduled", anna.user)


def test_a_lead_cancels_a_call_and_the_customer_gets_one_cancellation(
    client, team, django_capture_on_commit_callbacks
):
    call = BookingFactory(confirmed=True, expert=team["anna"], confirmation_sent_at=timezone.now())
    client.force_login(team["lead"])

    with _emails_queued(django_capture_on_commit_callbacks) as send:
        response = client.post(f"{BASE}bookings/{call.pk}/", {"action": "cancel"})
    send.assert_called_once_with("booking.cancellation", call.pk)
    deliver(kind="booking.cancellation", pk=call.pk)  # what the worker does

    assert response.status_code == 302
    assert Booking.objects.get(pk=call.pk).status == "cancelled"
    assert len(mail.outbox) == 1 and "is cancelled" in mail.outbox[0].subject
    assert "METHOD:CANCEL" in attachments(mail.outbox[0])
    page = client.get(f"{BASE}bookings/{call.pk}/").content.decode()
    assert "Cancelled" in page and "lena" in page  # who did it, in the booking's history


def test_cancelling_a_cancelled_call_again_says_nothing_changed_and_sends_nothing(
    client, team, django_capture_on_commit_callbacks
):
    call = BookingFactory(confirmed=True, expert=team["anna"], confirmation_sent_at=timezone.now())
    client.force_login(team["lead"])
    with _emails_queued(django_capture_on_commit_callbacks) as send:
        client.post(f"{BASE}bookings/{call.pk}/", {"action": "cancel"}, follow=True)
        again = client.post(f"{BASE}bookings/{call.pk}/", {"action": "cancel"}, follow=True)

    send.assert_called_once_with("booking.cancellation", call.pk)
    page = again.content.decode()
    assert "This booking is already cancelled: nothing was changed." in page
    assert "Cancelled. The customer is e-mailed" not in page


def test_a_lead_reassigns_a_call_to_a_free_expert(client, team, django_capture_on_commit_callbacks):
    call = BookingFactory(confirmed=True, expert=team["anna"], confirmation_sent_at=timezone.now())
    client.force_login(team["lead"])

    with _emails_queued(django_capture_on_commit_callbacks) as send:
        response = client.post(
            f"{BASE}bookings/{call.pk}/", {"action": "reassign", "expert": team["ben"].pk}
        )

    assert response.status_code == 302
    send.assert_called_once_with("booking.confirmation", call.pk)
    call.refresh_from_db()
    assert (call.expert, call.sequence, call.confirmation_sent_at) == (team["ben"], 1, None)
    assert call.events.get().detail == "from Anna to Ben"


def test_reassigning_to_a_busy_expert_is_refused(client, team):
    at = local_slot()
    call = BookingFactory(confirmed=True, expert=team["anna"], starts_at=at)
    BookingFactory(confirmed=True, expert=team["ben"], starts_at=at)  # Ben has a call then
    client.force_login(team["lead"])

    response = client.post(
        f"{BASE}bookings/{call.pk}/", {"action": "reassign", "expert": team["ben"].pk}
    )

    assert response.status_code == 409
    assert "Ben is not free at that time" in response.content.decode()
    call.refresh_from_db()
    assert (call.expert, call.sequence) == (team["anna"], 0) and not call.events.exists()


def test_an_expert_cannot_reassign_their_call(client, team):
    client.force_login(team["anna"].user)
    call = BookingFactory(confirmed=True, expert=team["anna"])

    response = client.post(
        f"{BASE}bookings/{call.pk}/", {"action": "reassign", "expert": team["ben"].pk}
    )

    assert response.status_code == 403
    assert Booking.objects.get(pk=call.pk).expert == team["anna"]


def test_a_no_show_is_refused_before_the_call_starts(client, team):
    client.force_login(team["anna"].user)
    call = BookingFactory(confirmed=True, expert=team["anna"])
    url = f"{BASE}bookings/{call.pk}/"

    early = client.post(url, {"action": "no_show"})
    # the whole call moves, as one range, to five minutes ago: where, between 11:35 and 12:05
    # Sydney time, it would overlap Anna's noon call, which the constraint refuses
    team["annas_call"].delete()
    started = timezone.now() - timedelta(minutes=5)
    Booking.objects.filter(pk=call.pk).update(starts_at=started, ends_at=started + slot_length())
    after_start = client.post(url, {"action": "no_show"})

    assert early.status_code == 409 and "the call has not started yet" in early.content.decode()
    assert after_start.status_code == 302
    assert Booking.objects.get(pk=call.pk).status == "no_show"
    assert call.events.get().actor == team["anna"].user


def test_bad_input_on_the_booking_page_is_refused_with_a_message(client, team):
    client.force_login(team["anna"].user)
    call = BookingFactory(confirmed=True, expert=team["anna"])
    url = f"{BASE}bookings/{call.pk}/"

    garbage = client.post(url, {"action": "reschedule", "slot": "tuesday-ish"})
    unknown = client.post(url, {"action": "explode"})
    bad_date = client.get(f"{BASE}calendar/", {"date": "2026-02-31"})

    assert garbage.status_code == 400 and 'id="id_slot_error"' in garbage.content.decode()
    assert unknown.status_code == 400 and "Choose one of the actions" in unknown.content.decode()
    assert bad_date.status_code == 400 and 'id="id_date_error"' in bad_date.content.decode()
    assert Booking.objects.get(pk=call.pk).starts_at == call.starts_at
