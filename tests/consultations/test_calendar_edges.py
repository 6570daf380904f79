"""The booking queue on the days a real calendar makes awkward, with the clock held still.

Daylight saving in 2027: on the first Sunday in April (4 April) Sydney, Melbourne and Hobart go
from 03:00 AEDT (UTC+11) back to 02:00 AEST (UTC+10) and Adelaide from ACDT (+10:30) to ACST
(+9:30); on the first Sunday in October (3 October) they go forward again at 02:00. Brisbane
(+10), Darwin (+9:30) and Perth (+8) never change. An expert's hours are wall-clock hours in
their own zone; each time offered is a UTC instant, shown to the customer in theirs.

Each test says what a customer or an expert would notice: the times the booking page offers
(and consultations.availability behind it), the time booked, when a reminder becomes due, and
the time an e-mail or the booking page names.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from consultations.availability import Availability, free_slots, slot_length
from consultations.emails import booking_message
from consultations.models import Booking
from consultations.services import booking_allocate
from core import clock as site_clock
from core import outbox
from tests.factories import (
    EVERY_DAY,
    MONDAY_TO_FRIDAY,
    BookingFactory,
    BookingFormFactory,
    ExpertFactory,
    TopicFactory,
)

SYDNEY, MELBOURNE, HOBART, ADELAIDE = (
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Hobart",
    "Australia/Adelaide",
)
BRISBANE, DARWIN, PERTH = "Australia/Brisbane", "Australia/Darwin", "Australia/Perth"
ALL_ZONES = [SYDNEY, MELBOURNE, HOBART, ADELAIDE, BRISBANE, DARWIN, PERTH]

# What a 9:00-17:00 expert offers (30-minute calls, 10 minutes between): 9:00 ... 16:20.
WORKING_DAY = [f"{m // 60:02}:{m % 60:02}" for m in range(9 * 60, 16 * 60 + 21, 40)]


def _instant(zone: str, *args) -> datetime:
    """A wall-clock time in `zone`, as the UTC instant the site stores."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _by_local_day(slots, zone: str) -> dict[date, list[str]]:
    days: dict[date, list[str]] = {}
    for slot in sorted(slots):
        local = slot.astimezone(ZoneInfo(zone))
        days.setdefault(local.date(), []).append(f"{local:%H:%M}")
    return days


def _offered(client, zone: str) -> dict[str, list[tuple[str, str]]]:
    """The booking page as a customer in `zone` reads it: {"Monday 5 April": [("9:00 am",
    "2027-04-04T23:00:00+00:00"), ...]}, in page order."""
    response = client.get("/consultations/book/", {"topic": "back", "time_zone": zone})
    assert response.status_code == 200
    html = response.content.decode()
    days = {}
    for chunk in html.split('class="slot-day-name"')[1:]:
        heading = re.match(r"[^>]*>([^<]+)</p>", chunk).group(1)
        values = re.findall(r'name="slot" id="slot-\d+-\d+" value="([^"]+)"', chunk)
        labels = re.findall(r'<label class="form-check-label" for="slot-\d+-\d+">([^<]+)<', chunk)
        assert len(values) == len(labels)
        days[heading] = list(zip(labels, values, strict=True))
    return days


def _labels(day) -> list[str]:
    return [label for label, _value in day]


# The times offered ------------------------------------------------------------------------

CHANGES = {
    # change day: (the Saturday before, the Sunday it happens, the Monday after)
    "April": (date(2027, 4, 3), date(2027, 4, 4), date(2027, 4, 5)),
    "October": (date(2027, 10, 2), date(2027, 10, 3), date(2027, 10, 4)),
}
# The UTC time of an expert's 9:00 on the Saturday, Sunday and Monday of each change.
NINE_AM_IN_UTC = {
    ("April", SYDNEY): ("22:00", "23:00", "23:00"),
    ("April", MELBOURNE): ("22:00", "23:00", "23:00"),
    ("April", HOBART): ("22:00", "23:00", "23:00"),
    ("April", ADELAIDE): ("22:30", "23:30", "23:30"),
    ("April", BRISBANE): ("23:00", "23:00", "23:00"),
    ("April", DARWIN): ("23:30", "23:30", "23:30"),
    ("April", PERTH): ("01:00", "01:00", "01:00"),
    ("October", SYDNEY): ("23:00", "22:00", "22:00"),
    ("October", MELBOURNE): ("23:00", "22:00", "22:00"),
    ("October", HOBART): ("23:00", "22:00", "22:00"),
    ("October", ADELAIDE): ("23:30", "22:30", "22:30"),
    ("October", BRISBANE): ("23:00", "23:00", "23:00"),
    ("October", DARWIN): ("23:30", "23:30", "23:30"),
    ("October", PERTH): ("01:00", "01:00", "01:00"),
}


@pytest.mark.parametrize(("change", "zone"), NINE_AM_IN_UTC)
def test_an_expert_offers_the_same_local_hours_around_a_change_and_the_utc_times_move(
    db, clock, change, zone
):
    # given an expert working 9:00-17:00 every day in their own zone, the Thursday before
    saturday, sunday, monday = CHANGES[change]
    anna = ExpertFactory(display_name="Anna", time_zone=zone, days=EVERY_DAY)
    clock.set(datetime.combine(saturday - timedelta(days=2), time(12)), zone)

    # when a customer asks for the free times
    slots = free_slots(topic=TopicFactory())

    # then the Saturday, the change day and the Monday each offer all twelve of her local
    # times, once each, and only in zones that change does 9:00 fall an hour apart in UTC
    local = _by_local_day(slots, anna.time_zone)
    assert [local[day] for day in (saturday, sunday, monday)] == [WORKING_DAY] * 3
    assert len(slots) == len(set(slots))
    first = [
        min(slot for slot in slots if slot.astimezone(ZoneInfo(zone)).date() == day)
        for day in (saturday, sunday, monday)
    ]
    assert tuple(f"{slot.astimezone(UTC):%H:%M}" for slot in first) == NINE_AM_IN_UTC[change, zone]


# A Sydney expert working weekdays (as the demo's Anna does), seen from each customer zone on
# the Monday before a change and the Monday after: (first, last) time of each Monday's list.
SYDNEY_WEEKDAYS_SEEN_FROM = {
    ("April", SYDNEY): (("9:00 am", "4:20 pm"), ("9:00 am", "4:20 pm")),
    ("April", MELBOURNE): (("9:00 am", "4:20 pm"), ("9:00 am", "4:20 pm")),
    ("April", HOBART): (("9:00 am", "4:20 pm"), ("9:00 am", "4:20 pm")),
    ("April", ADELAIDE): (("8:30 am", "3:50 pm"), ("8:30 am", "3:50 pm")),
    ("April", BRISBANE): (("8:00 am", "3:20 pm"), ("9:00 am", "4:20 pm")),
    ("April", DARWIN): (("7:30 am", "2:50 pm"), ("8:30 am", "3:50 pm")),
    ("April", PERTH): (("6:00 am", "1:20 pm"), ("7:00 am", "2:20 pm")),
    ("October", SYDNEY): (("9:00 am", "4:20 pm"), ("9:00 am", "4:20 pm")),
    ("October", ADELAIDE): (("8:30 am", "3:50 pm"), ("8:30 am", "3:50 pm")),
    ("October", BRISBANE): (("9:00 am", "4:20 pm"), ("8:00 am", "3:20 pm")),
    ("October", DARWIN): (("8:30 am", "3:50 pm"), ("7:30 am", "2:50 pm")),
    ("October", PERTH): (("7:00 am", "2:20 pm"), ("6:00 am", "1:20 pm")),
}
MONDAYS = {
    "April": ("Monday 29 March", "Monday 5 April"),
    "October": ("Monday 27 September", "Monday 4 October"),
}


@pytest.mark.parametrize(("change", "customer_zone"), SYDNEY_WEEKDAYS_SEEN_FROM)
def test_a_customer_sees_a_sydney_experts_times_on_their_own_clock_before_and_after_a_change(
    db, clock, change, customer_zone
):
    # given a Sydney expert working 9:00-17:00 on weekdays, and the Sunday a week before the
    # Sunday of the change
    ExpertFactory(display_name="Anna", time_zone=SYDNEY, days=MONDAY_TO_FRIDAY)
    _saturday, sunday, _monday = CHANGES[change]
    clock.set(datetime.combine(sunday - timedelta(days=7), time(12)), SYDNEY)

    # when a customer in `customer_zone` opens the booking page
    days = _offered(Client(), customer_zone)

    # then each Monday lists her twelve calls, shifted by an hour after the change only where
    # the customer's clock did not change with hers; a weekend is never offered
    before, after = (days[monday] for monday in MONDAYS[change])
    first_and_last = tuple((_labels(d)[0], _labels(d)[-1]) for d in (before, after))
    assert first_and_last == SYDNEY_WEEKDAYS_SEEN_FROM[change, customer_zone]
    assert len(before) == len(after) == len(WORKING_DAY)
    assert not [heading for heading in days if heading.startswith(("Saturday", "Sunday"))]
    # ...and the instants behind them are a week apart, less or more the hour Sydney moved
    moved = datetime.fromisoformat(after[0][1]) - datetime.fromisoformat(before[0][1])
    assert moved == timedelta(days=7, hours=1 if change == "April" else -1)


@pytest.mark.parametrize("change", CHANGES)
def test_no_time_is_lost_or_offered_twice_around_a_change_for_experts_in_every_zone(
    db, clock, change
):
    # given an expert in each Australian zone, each working 9:00-17:00 every day
    experts = [
        ExpertFactory(display_name=zone.split("/")[1], time_zone=zone, days=EVERY_DAY)
        for zone in ALL_ZONES
    ]
    saturday, _sunday, _monday = CHANGES[change]
    clock.set(datetime.combine(saturday - timedelta(days=4), time(12)), SYDNEY)
    now = site_clock.now()

    # when the free times of the next two weeks are worked out
    free = Availability(
        topic=TopicFactory(), start=now, end=now + timedelta(days=14)
    ).slots_by_expert()

    # then every expert has each of their local times once on every day from the Wednesday
    # before the change to the Sunday after it, and experts whose 9:00 is the same instant
    # share one time (one entry, several experts free)
    fortnight = [saturday + timedelta(days=n) for n in range(-3, 9)]
    for expert in experts:
        theirs = [slot for slot, free_experts in free.items() if expert in free_experts]
        days = _by_local_day(theirs, expert.time_zone)
        assert [days[day] for day in fortnight] == [WORKING_DAY] * 12, expert.time_zone
    monday = saturday + timedelta(days=2)
    sydney_nine = _instant(SYDNEY, monday.year, monday.month, monday.day, 9)
    shared = {e.time_zone for e in free[sydney_nine]}
    brisbane_too = {BRISBANE} if change == "April" else set()
    assert shared == {SYDNEY, MELBOURNE, HOBART} | brisbane_too


def test_an_expert_working_through_the_repeated_hour_gets_its_real_length_in_calls(db, clock):
    # given a Sydney expert working 1:00-5:00 am on Sundays: the night the clocks go back
    # that is five real hours (2:00-3:00 happens twice), the night they go forward three
    night_owl = ExpertFactory(hours=(time(1), time(5)), days=[6])
    clock.set("2027-03-31 12:00", SYDNEY)
    april = free_slots(topic=TopicFactory())
    clock.set("2027-09-29 12:00", SYDNEY)
    october = free_slots(topic=TopicFactory())

    # then the calls fill the real time, one after another, none overlapping
    for slots in (april, october):
        assert all(b - a >= timedelta(minutes=40) for a, b in pairwise(slots))
    in_april = _by_local_day(april, night_owl.time_zone)[date(2027, 4, 4)]
    assert in_april == ["01:00", "01:40", "02:20", "02:00", "02:40", "03:20", "04:00"]
    in_october = _by_local_day(october, night_owl.time_zone)[date(2027, 10, 3)]
    assert in_october == ["01:00", "01:40", "03:20", "04:00"]
    assert _by_local_day(april, night_owl.time_zone)[date(2027, 4, 11)] == [
        "01:00", "01:40", "02:20", "03:00", "03:40", "04:20",
    ]  # fmt: skip


def test_two_times_in_the_repeated_hour_are_labelled_apart(db, clock, settings):
    settings.CONSULTATION_LENGTH_MINUTES, settings.CONSULTATION_BUFFER_MINUTES = 50, 10
    ExpertFactory(hours=(time(1), time(5)), days=[6])
    clock.set("2027-03-31 12:00", SYDNEY)

    night = _offered(Client(), SYDNEY)["Sunday 4 April"]

    assert len(night) == 5  # 1:00, 2:00 AEDT, 2:00 AEST, 3:00 and 4:00: five real hours
    assert len(set(_labels(night))) == len(night), _labels(night)


# Booking at 23:59 for the next morning ----------------------------------------------------

NIGHTS = {
    # the evening the customer books at 23:59, and the real hours from midnight to 9:00
    "an ordinary night (Sunday after the April change)": (date(2027, 4, 4), 9),
    "the night the clocks go back (3-4 April)": (date(2027, 4, 3), 10),
    "the night the clocks go forward (2-3 October)": (date(2027, 10, 2), 8),
}


@pytest.mark.parametrize("night", NIGHTS)
def test_at_2359_the_next_mornings_nine_oclock_is_offered_until_the_notice_runs_out(
    db, clock, settings, night
):
    # given a Sydney expert working every day, and a minimum notice of exactly the real time
    # from midnight to 9:00 that night (a clock going back makes it 10 hours, forward 8)
    evening, hours_to_nine = NIGHTS[night]
    settings.BOOKING_MINIMUM_NOTICE_HOURS = hours_to_nine
    ExpertFactory(display_name="Anna", days=EVERY_DAY)
    morning = evening + timedelta(days=1)
    heading = f"{morning:%A} {morning.day} {morning:%B}"
    nine = _instant(SYDNEY, morning.year, morning.month, morning.day, 9)

    # when a customer looks at 23:59 Sydney time, and again two minutes later
    clock.set(datetime.combine(evening, time(23, 59)), SYDNEY)
    at_2359 = _offered(Client(), SYDNEY)[heading]
    clock.move(minutes=2)
    at_0001 = _offered(Client(), SYDNEY)[heading]

    # then 9:00 is there at 23:59 (notice + 1 minute away) and gone at 00:01
    assert at_2359[0] == ("9:00 am", nine.isoformat())
    assert _labels(at_0001)[0] == "9:40 am"
    assert _labels(at_2359)[1:] == _labels(at_0001)


def test_a_form_sent_at_2359_books_nine_oclock_and_one_sent_at_0001_is_refused(db, clock, settings):
    # given a 9-hour notice and a Sydney expert; two customers open the form at 23:58 on the
    # Sunday the clocks went back, to book 9:00 on Monday
    settings.BOOKING_MINIMUM_NOTICE_HOURS = 9
    ExpertFactory(display_name="Anna", days=EVERY_DAY)
    nine = _instant(SYDNEY, 2027, 4, 5, 9)
    clock.set("2027-04-04 23:58", SYDNEY)
    assert ("9:00 am", nine.isoformat()) in _offered(Client(), SYDNEY)["Monday 5 April"]
    mia = BookingFormFactory(slot=nine.isoformat())
    lee = BookingFormFactory(slot=nine.isoformat(), name="Lee Chen", email="lee@example.com.au")

    # when Mia sends it at 23:59:30 and Lee, who dithered, at 00:01
    clock.set("2027-04-04 23:59:30", SYDNEY)
    booked = Client().post("/consultations/book/", mia)
    clock.set("2027-04-05 00:01", SYDNEY)
    refused = Client().post("/consultations/book/", lee)

    # then Mia has 9:00 on Monday; Lee is asked for another time
    assert booked.status_code == 302
    booking = Booking.objects.get()
    assert (booking.starts_at, booking.ends_at) == (nine, nine + slot_length())
    assert refused.status_code == 400
    assert "That time is no longer free" in refused.content.decode()
    # ...and the worker, reaching Mia's after the notice ran out, still confirms it
    assert booking_allocate(booking_id=booking.pk) == "confirmed"
    page = Client().get(booking.get_absolute_url()).content.decode()
    assert "Monday 5 April 2027, 9:00 AM (Sydney, Canberra (NSW, ACT))" in page


# The horizon ------------------------------------------------------------------------------

HORIZONS = {
    # (when the customer looks, their zone): (last day listed, its last time)
    # 14 x 24 real hours from noon on 21 March ends at 11:00 on 4 April: the clocks went back
    ("2027-03-21 12:00", SYDNEY): ("Sunday 4 April", "10:20 am"),
    ("2027-03-21 12:00", PERTH): ("Sunday 4 April", "8:20 am"),
    # ...and from noon on 19 September at 13:00 on 3 October: they went forward
    ("2027-09-19 12:00", SYDNEY): ("Sunday 3 October", "12:20 pm"),
    ("2027-09-19 12:00", BRISBANE): ("Sunday 3 October", "11:20 am"),
}


@pytest.mark.parametrize(("now", "customer_zone"), HORIZONS)
def test_the_last_day_offered_is_fourteen_days_ahead_and_nothing_beyond_the_horizon(
    db, clock, settings, now, customer_zone
):
    # given a Sydney expert working every day and a 14-day horizon that crosses a change
    settings.BOOKING_HORIZON_DAYS = 14
    ExpertFactory(display_name="Anna", days=EVERY_DAY)
    clock.set(now, SYDNEY)
    horizon = site_clock.now() + timedelta(days=14)

    # when a customer opens the booking page
    days = _offered(Client(), customer_zone)

    # then the last day listed is 14 local days on, ending at the last call that starts
    # within 14 x 24 hours, and no time beyond that is offered anywhere
    last_day, last_time = HORIZONS[now, customer_zone]
    assert list(days)[-1] == last_day
    assert _labels(days[last_day])[-1] == last_time
    offered = [datetime.fromisoformat(value) for day in days.values() for _l, value in day]
    assert max(offered) < horizon <= max(offered) + timedelta(minutes=40)
    assert max(free_slots(topic=TopicFactory())) == max(offered)


# Reminders --------------------------------------------------------------------------------


def _reminders_due() -> set[tuple[str, int]]:
    """The reminders the beat sweep queues at this moment of the clock: (kind, booking id)."""
    with mock.patch.object(outbox, "enqueue_last_try", return_value=True) as queue:
        outbox.sweep()
    queued = {(call.args[1], call.args[2]) for call in queue.call_args_list}
    return {(kind.removeprefix("booking."), pk) for kind, pk in queued if "reminder" in kind}


CALLS = {
    # the call (Sydney time): when its 24-hour reminder becomes due (Sydney time)
    "9:00 on the Monday after the April change": (
        datetime(2027, 4, 5, 9),
        datetime(2027, 4, 4, 9),  # both AEST: 24 wall-clock hours
    ),
    "9:00 on the Sunday the clocks go back": (
        datetime(2027, 4, 4, 9),
        datetime(2027, 4, 3, 10),  # 10:00 AEDT: 25 wall-clock hours, 24 real ones
    ),
    "9:00 on the Sunday the clocks go forward": (
        datetime(2027, 10, 3, 9),
        datetime(2027, 10, 2, 8),  # 8:00 AEST: 23 wall-clock hours
    ),
}


@pytest.mark.parametrize("call", CALLS)
def test_reminders_fall_due_24_and_1_real_hours_before_the_call(db, clock, call):
    # given a call confirmed a week ahead, its confirmation sent
    starts, reminder_due = (moment.replace(tzinfo=ZoneInfo(SYDNEY)) for moment in CALLS[call])
    clock.set(starts - timedelta(days=7))
    booking = BookingFactory(
        confirmed=True, starts_at=starts, confirmation_sent_at=site_clock.now()
    )
    reminder_24h, reminder_1h = {("reminder_24h", booking.pk)}, {("reminder_1h", booking.pk)}

    # then the 24-hour reminder is not due a minute before 24 real hours ahead, and is at them
    clock.set(reminder_due - timedelta(minutes=1))
    assert _reminders_due() == set()
    clock.move(minutes=1)
    assert _reminders_due() == reminder_24h
    assert starts.astimezone(UTC) - site_clock.now() == timedelta(hours=24)
    # ...and says "tomorrow at 9:00 AM" about the right day
    message = booking_message(booking, "reminder_24h")
    assert message.subject == "Reminder: your video call tomorrow at 9:00 AM"
    assert f"tomorrow, {starts:%A} {starts.day} {starts:%B}, 9:00 AM" in message.body

    # and the 1-hour reminder at 8:00 on the day
    Booking.objects.filter(pk=booking.pk).update(reminder_24h_sent_at=site_clock.now())
    clock.set(starts - timedelta(hours=1, minutes=1))
    assert _reminders_due() == set()
    clock.move(minutes=1)
    assert _reminders_due() == reminder_1h
    assert site_clock.local_now(SYDNEY).strftime("%H:%M") == "08:00"


# What the e-mails and the booking page say ------------------------------------------------


@pytest.mark.parametrize(
    ("customer_zone", "zone_label", "before", "after"),
    [
        (SYDNEY, "Sydney, Canberra (NSW, ACT)", "9:00 AM", "9:00 AM"),
        (ADELAIDE, "Adelaide (SA)", "8:30 AM", "8:30 AM"),
        (BRISBANE, "Brisbane (QLD, no daylight saving)", "8:00 AM", "9:00 AM"),
        (PERTH, "Perth (WA, no daylight saving)", "6:00 AM", "7:00 AM"),
    ],
)
def test_the_confirmation_and_the_booking_page_name_the_customers_own_time(
    db, client, clock, customer_zone, zone_label, before, after
):
    # given calls at 9:00 Sydney time on the Mondays before and after the April change
    clock.set("2027-03-24 12:00", SYDNEY)
    anna = ExpertFactory(display_name="Anna", days=MONDAY_TO_FRIDAY)
    calls = {
        ("Monday 29 March", "20270328T220000Z", before): _instant(SYDNEY, 2027, 3, 29, 9),
        ("Monday 5 April", "20270404T230000Z", after): _instant(SYDNEY, 2027, 4, 5, 9),
    }

    for (day, utc, time_label), starts in calls.items():
        booking = BookingFactory(
            confirmed=True, expert=anna, customer_time_zone=customer_zone, starts_at=starts
        )

        # when the confirmation is written and the booking's page opened
        message = booking_message(booking, "confirmation")
        ((_name, invite, _type),) = message.attachments
        page = client.get(booking.get_absolute_url()).content.decode()

        # then both say the customer's own time; the invite carries the instant in UTC
        assert message.subject == f"Your video call on {day} at {time_label}"
        assert f"When: {day} 2027, {time_label} ({zone_label})" in message.body
        assert f"DTSTART:{utc}" in invite
        assert f"{day} 2027, {time_label} ({zone_label})" in page
