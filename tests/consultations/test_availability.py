"""Free times, in UTC, across time zones and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from consultations.availability import Availability, expert_day_slots, free_slots
from consultations.models import Booking, TimeOff, Topic
from tests.consultations.factories import expert

SYDNEY, BRISBANE, PERTH = (
    ZoneInfo(z) for z in ("Australia/Sydney", "Australia/Brisbane", "Australia/Perth")
)


def _utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "first_slot_utc"),
    [
        # Sydney: AEST (UTC+10) until 2am Sunday 4 October 2026, then AEDT (UTC+11)
        ("Australia/Sydney", date(2026, 10, 3), _utc(2026, 10, 2, 23, 0)),
        ("Australia/Sydney", date(2026, 10, 5), _utc(2026, 10, 4, 22, 0)),
        # ...and back to AEST at 3am Sunday 5 April 2026
        ("Australia/Sydney", date(2026, 4, 4), _utc(2026, 4, 3, 22, 0)),
        ("Australia/Sydney", date(2026, 4, 6), _utc(2026, 4, 5, 23, 0)),
        # Brisbane and Perth never change
        ("Australia/Brisbane", date(2026, 10, 3), _utc(2026, 10, 2, 23, 0)),
        ("Australia/Brisbane", date(2026, 10, 5), _utc(2026, 10, 4, 23, 0)),
        ("Australia/Perth", date(2026, 10, 5), _utc(2026, 10, 5, 1, 0)),
        ("Australia/Perth", date(2026, 4, 6), _utc(2026, 4, 6, 1, 0)),
    ],
)
def test_a_9am_start_is_the_right_utc_instant_either_side_of_daylight_saving(
    db, zone, day, first_slot_utc
):
    person = expert("Anna", zone=zone)

    slots = expert_day_slots(person, day, person.availability.all())

    assert slots[0] == first_slot_utc


def test_slots_leave_the_buffer_between_calls_and_end_inside_the_window(db, settings):
    settings.CONSULTATION_LENGTH_MINUTES, settings.CONSULTATION_BUFFER_MINUTES = 30, 10
    person = expert("Anna", hours=(time(9), time(11)))

    slots = expert_day_slots(person, date(2026, 12, 1), person.availability.all())

    local = [s.astimezone(SYDNEY).strftime("%H:%M") for s in slots]
    assert local == ["09:00", "09:40", "10:20"]  # 11:00 would end at 11:30, after the window


def test_a_time_is_free_while_one_expert_on_the_topic_can_take_it(db):
    now = _utc(2026, 12, 1, 0, 0)  # 11am in Sydney
    anna, ben = expert("Anna"), expert("Ben")
    expert("Knee-only Kim", topics=("knee",))
    back = Topic.objects.get(slug="back")
    slot = _utc(2026, 12, 2, 0, 0)  # 11am Sydney tomorrow: on the 9:00 + 40-minute grid
    Booking.objects.create(
        topic=back,
        expert=anna,
        status="confirmed",
        starts_at=slot,
        ends_at=slot + timedelta(minutes=30),
        name="x",
        email="x@example.com",
        description="x",
        consent_text="x",
        consent_version="1",
        queued_at=now,
    )

    availability = Availability(topic=back, start=now, end=now + timedelta(days=2))

    assert [c.expert for c in availability.candidates(slot)] == [ben]
    assert slot in free_slots(topic=back, now=now)


def test_time_off_daily_maximum_and_notice_remove_times(db, settings):
    settings.BOOKING_MINIMUM_NOTICE_HOURS = 2
    now = _utc(2026, 12, 1, 0, 0)  # 11:00 Sydney
    anna = expert("Anna", daily_maximum=1)
    back = Topic.objects.get(slug="back")
    TimeOff.objects.create(
        expert=anna, starts_at=_utc(2026, 12, 3, 0, 0), ends_at=_utc(2026, 12, 4, 0, 0)
    )
    Booking.objects.create(
        topic=back,
        expert=anna,
        status="confirmed",
        starts_at=_utc(2026, 12, 2, 1, 0),
        ends_at=_utc(2026, 12, 2, 1, 30),
        name="x",
        email="x@example.com",
        description="x",
        consent_text="x",
        consent_version="1",
        queued_at=now,
    )

    slots = free_slots(topic=back, now=now)

    assert min(slots) >= now + timedelta(hours=2)  # minimum notice
    assert not [s for s in slots if s.astimezone(SYDNEY).date() == date(2026, 12, 2)]  # daily max
    assert not [s for s in slots if _utc(2026, 12, 3) <= s < _utc(2026, 12, 4)]  # time off
    assert max(slots) < now + timedelta(days=14)  # horizon
