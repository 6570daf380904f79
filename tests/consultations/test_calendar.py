"""The .ics invites are read back with icalendar, as a mail client would read them.

Australian daylight saving in 2026 (checked with zoneinfo): it ends on Sunday 5 April (03:00
AEDT becomes 02:00 AEST) and starts on Sunday 4 October (02:00 AEST becomes 03:00 AEDT).
Queensland and Western Australia keep one offset all year.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from consultations.calendar import Meeting, cancellation_ics, ics_attachment, invite_ics

SYDNEY = ZoneInfo("Australia/Sydney")
BRISBANE = ZoneInfo("Australia/Brisbane")
PERTH = ZoneInfo("Australia/Perth")

VIDEO_LINK = "https://meet.bauerfeind.com.au/room/4f7c2a9e"


def a_meeting(*, starts_at=None, **changes):
    starts_at = starts_at or datetime(2026, 10, 3, 10, 0, tzinfo=SYDNEY)
    meeting = Meeting(
        uid="booking-4f7c2a9e@bauerfeind.com.au",
        sequence=0,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        summary="Video fitting with Anna (Bauerfeind Australia)",
        description=f"Your video fitting with Anna.\nJoin here: {VIDEO_LINK}",
        url=VIDEO_LINK,
        organizer_email="fittings@bauerfeind.com.au",
        organizer_name="Bauerfeind Australia",
        attendee_email="sam.citizen@example.com",
        attendee_name="Sam Citizen",
    )
    return replace(meeting, **changes)


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_invite_is_a_confirmed_request_for_the_booking():
    meeting = a_meeting()

    calendar, event = parse(invite_ics(meeting))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == meeting.uid
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == meeting.summary
    assert event["URL"] == VIDEO_LINK
    assert event["LOCATION"] == VIDEO_LINK
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)


def test_invite_names_organizer_and_asks_attendee_to_reply():
    _, event = parse(invite_ics(a_meeting()))

    organizer = event["ORGANIZER"]
    assert organizer == "mailto:fittings@bauerfeind.com.au"
    assert organizer.params["CN"] == "Bauerfeind Australia"
    attendee = event["ATTENDEE"]
    assert attendee == "mailto:sam.citizen@example.com"
    assert attendee.params["CN"] == "Sam Citizen"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"


def test_invite_reminds_fifteen_minutes_before():
    _, event = parse(invite_ics(a_meeting()))

    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-15)


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        pytest.param(
            datetime(2026, 10, 3, 10, 0, tzinfo=SYDNEY),
            datetime(2026, 10, 3, 0, 0, tzinfo=UTC),
            id="sydney-sat-3-oct-still-AEST-utc+10",
        ),
        pytest.param(
            datetime(2026, 10, 5, 10, 0, tzinfo=SYDNEY),
            datetime(2026, 10, 4, 23, 0, tzinfo=UTC),
            id="sydney-mon-5-oct-now-AEDT-utc+11",
        ),
        pytest.param(
            datetime(2026, 4, 4, 10, 0, tzinfo=SYDNEY),
            datetime(2026, 4, 3, 23, 0, tzinfo=UTC),
            id="sydney-sat-4-apr-still-AEDT-utc+11",
        ),
        pytest.param(
            datetime(2026, 4, 6, 10, 0, tzinfo=SYDNEY),
            datetime(2026, 4, 6, 0, 0, tzinfo=UTC),
            id="sydney-mon-6-apr-now-AEST-utc+10",
        ),
        pytest.param(
            datetime(2026, 10, 3, 10, 0, tzinfo=BRISBANE),
            datetime(2026, 10, 3, 0, 0, tzinfo=UTC),
            id="brisbane-sat-3-oct-utc+10",
        ),
        pytest.param(
            datetime(2026, 10, 5, 10, 0, tzinfo=BRISBANE),
            datetime(2026, 10, 5, 0, 0, tzinfo=UTC),
            id="brisbane-mon-5-oct-no-dst-utc+10",
        ),
        pytest.param(
            datetime(2026, 4, 4, 10, 0, tzinfo=BRISBANE),
            datetime(2026, 4, 4, 0, 0, tzinfo=UTC),
            id="brisbane-sat-4-apr-utc+10",
        ),
        pytest.param(
            datetime(2026, 4, 6, 10, 0, tzinfo=BRISBANE),
            datetime(2026, 4, 6, 0, 0, tzinfo=UTC),
            id="brisbane-mon-6-apr-no-dst-utc+10",
        ),
        pytest.param(
            datetime(2026, 10, 3, 10, 0, tzinfo=PERTH),
            datetime(2026, 10, 3, 2, 0, tzinfo=UTC),
            id="perth-sat-3-oct-utc+8",
        ),
        pytest.param(
            datetime(2026, 10, 5, 10, 0, tzinfo=PERTH),
            datetime(2026, 10, 5, 2, 0, tzinfo=UTC),
            id="perth-mon-5-oct-no-dst-utc+8",
        ),
        pytest.param(
            datetime(2026, 4, 4, 10, 0, tzinfo=PERTH),
            datetime(2026, 4, 4, 2, 0, tzinfo=UTC),
            id="perth-sat-4-apr-utc+8",
        ),
        pytest.param(
            datetime(2026, 4, 6, 10, 0, tzinfo=PERTH),
            datetime(2026, 4, 6, 2, 0, tzinfo=UTC),
            id="perth-mon-6-apr-no-dst-utc+8",
        ),
    ],
)
def test_local_ten_am_call_is_written_as_the_right_utc_instant(local_start, utc_start):
    meeting = a_meeting(starts_at=local_start)

    ics = invite_ics(meeting)

    _, event = parse(ics)
    assert event.decoded("DTSTART") == utc_start
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == utc_start + timedelta(minutes=30)
    assert f"DTSTART:{utc_start:%Y%m%dT%H%M%S}Z\r\n".encode() in ics
    assert f"DTEND:{utc_start + timedelta(minutes=30):%Y%m%dT%H%M%S}Z\r\n".encode() in ics
    assert b"TZID" not in ics


def test_naive_start_time_is_refused():
    meeting = a_meeting(starts_at=datetime(2026, 10, 3, 10, 0))

    with pytest.raises(ValueError, match="timezone-aware"):
        invite_ics(meeting)


def test_cancellation_removes_the_same_event():
    meeting = a_meeting(sequence=2)

    calendar, event = parse(cancellation_ics(meeting))

    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == "booking-4f7c2a9e@bauerfeind.com.au"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert not event.walk("VALARM")


def test_reschedule_is_sent_as_the_next_sequence_of_the_same_event():
    first = a_meeting()
    moved = replace(
        first,
        sequence=1,
        starts_at=datetime(2026, 10, 5, 10, 0, tzinfo=SYDNEY),
        ends_at=datetime(2026, 10, 5, 10, 30, tzinfo=SYDNEY),
    )

    calendar, event = parse(invite_ics(moved))

    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == first.uid
    assert event["SEQUENCE"] == 1
    assert b"SEQUENCE:1\r\n" in invite_ics(moved)
    assert event.decoded("DTSTART") == datetime(2026, 10, 4, 23, 0, tzinfo=UTC)


def test_commas_semicolons_and_newlines_survive_the_round_trip():
    description = (
        "Hi Sam, please have your brace ready; wear loose clothing.\n"
        "Join here: https://meet.bauerfeind.com.au/room/4f7c2a9e?lang=en;x=1,2\n\n"
        "Questions? Call us on 1300 000 000."
    )
    summary = "Fitting; knee, GenuTrain"

    ics = invite_ics(a_meeting(description=description, summary=summary))

    _, event = parse(ics)
    assert event["DESCRIPTION"] == description
    assert event["SUMMARY"] == summary


def test_lines_end_with_crlf_and_long_lines_are_folded():
    ics = invite_ics(a_meeting(description="A long description. " * 20))

    lines = ics.split(b"\r\n")
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)


def test_attachment_tells_mail_clients_the_method():
    ics = invite_ics(a_meeting())

    filename, content, mimetype = ics_attachment(ics, "REQUEST")

    assert filename == "invite.ics"
    assert content is ics
    assert mimetype == 'text/calendar; charset="utf-8"; method=REQUEST'
