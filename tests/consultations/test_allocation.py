"""The worker's allocation: one expert per call, never a double booking, safe to run twice."""

import threading
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from consultations import tasks
from consultations.models import Booking
from consultations.services import booking_allocate
from tests.consultations.factories import expert
from tests.factories import BookingFactory, local_slot
from tests.waiting import wait_for

SYDNEY = ZoneInfo("Australia/Sydney")


def _soon():
    """9:00 Sydney time the day after tomorrow: inside the notice and the horizon."""
    return local_slot(days_ahead=2)


def test_allocation_confirms_with_the_least_booked_expert_and_a_video_link(db, settings):
    settings.VIDEO_MEETING_BASE_URL = "https://video.example.com/"
    anna, ben = expert("Anna"), expert("Ben")
    slot = _soon()
    BookingFactory(starts_at=slot + timedelta(minutes=40), confirmed=True, expert=anna)  # busier

    booking = BookingFactory(starts_at=slot)
    assert booking_allocate(booking_id=booking.pk) == "confirmed"

    booking.refresh_from_db()
    assert booking.expert == ben
    assert booking.video_url.startswith("https://video.example.com/Bauerfeind-")
    assert len(booking.video_url.split("/Bauerfeind-", 1)[1]) >= 20  # 128 random bits


def test_allocating_twice_changes_nothing_the_second_time(db):
    expert("Anna"), expert("Ben")
    booking = BookingFactory(starts_at=_soon())

    booking_allocate(booking_id=booking.pk)
    first = Booking.objects.get(pk=booking.pk)
    booking_allocate(booking_id=booking.pk)
    second = Booking.objects.get(pk=booking.pk)

    assert (first.expert_id, first.video_url, first.confirmed_at) == (
        second.expert_id,
        second.video_url,
        second.confirmed_at,
    )


def test_a_taken_time_needs_a_new_time_and_no_free_time_at_all_joins_the_waitlist(db):
    expert("Anna", hours=(time(9), time(9, 30)), days=[0])  # one slot a week, on Mondays
    slot = _soon()
    while slot.astimezone(SYDNEY).weekday() != 0:
        slot += timedelta(days=1)
    taken = BookingFactory(starts_at=slot)
    assert booking_allocate(booking_id=taken.pk) == "confirmed"

    late = BookingFactory(starts_at=slot)
    assert booking_allocate(booking_id=late.pk) in ("needs_new_time", "waitlisted")
    late.refresh_from_db()
    assert late.expert is None


def test_twenty_customers_for_the_last_free_time_make_one_confirmed_booking(
    committed_db, on_postgres
):
    # given one expert with one slot, and twenty queued bookings for it
    anna = expert("Anna", hours=(time(9), time(9, 30)), days=range(7), daily_maximum=1)
    slot = _soon()
    bookings = BookingFactory.create_batch(20, starts_at=slot)
    errors, start = [], threading.Barrier(20)

    def allocate(booking_id):
        start.wait()
        try:
            booking_allocate(booking_id=booking_id)
        except Exception as error:  # a constraint error here would reach a customer
            errors.append(error)
        finally:
            connection.close()

    # when twenty workers allocate at the same moment
    threads = [threading.Thread(target=allocate, args=(b.pk,)) for b in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one is confirmed, the rest are told to pick another time
    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert errors == []
    assert statuses.count("confirmed") == 1
    assert set(statuses) <= {"confirmed", "needs_new_time", "waitlisted"}
    assert Booking.objects.filter(status="confirmed", expert=anna).count() == 1


def test_a_real_worker_allocates_a_booking_queued_on_commit(celery_worker):
    from django.db import transaction

    expert("Anna")
    with transaction.atomic():
        booking = BookingFactory(starts_at=_soon())
        transaction.on_commit(lambda: tasks.allocate_booking.delay(booking.pk))

    wait_for(lambda: Booking.objects.get(pk=booking.pk).status == "confirmed")
