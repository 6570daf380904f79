"""Calendar invites (.ics) for video consultations, attached to the booking e-mails.

Pure functions: no models, no database, so the e-mail code can build an invite from whatever
it has loaded. Mail clients (Outlook, Gmail, Apple Mail) match a later update or cancellation
to the event they already hold by UID, and take it only when SEQUENCE is higher, so the caller
keeps the UID stable per booking and raises the sequence on every change (RFC 5546).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress

from core import clock

PRODID = "-//Bauerfeind Australia//Video consultations//EN"
REMINDER_BEFORE = timedelta(minutes=15)


@dataclass(frozen=True)
class Meeting:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    url: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str


def invite_ics(meeting: Meeting) -> bytes:
    """A REQUEST that puts the call in the customer's calendar, with a reminder 15 minutes
    before. Sending it again with a higher sequence moves the existing event (a reschedule)."""
    event = _event(meeting, status="CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", meeting.summary)  # RFC 5545 requires it for DISPLAY alarms
    alarm.add("trigger", -REMINDER_BEFORE)
    event.add_component(alarm)
    return _calendar("REQUEST", event)


def cancellation_ics(meeting: Meeting) -> bytes:
    """A CANCEL for the event an earlier invite created: same UID, and the caller passes a
    sequence higher than the last one sent, or clients ignore it as stale."""
    return _calendar("CANCEL", _event(meeting, status="CANCELLED"))


def ics_attachment(content: bytes, method: str) -> tuple[str, bytes, str]:
    """Arguments for ``EmailMessage.attach``. The ``method`` parameter on the content type
    must match the calendar's METHOD: Outlook and Gmail read it to show Accept/Decline
    buttons (or to remove the event) instead of treating the file as a plain download."""
    return ("invite.ics", content, f'text/calendar; charset="utf-8"; method={method}')


def _calendar(method: str, event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    return calendar.to_ical()  # folds lines at 75 octets and ends them with CRLF


def _event(meeting: Meeting, *, status: str) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", clock.now())
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", meeting.summary)
    event.add("description", meeting.description)
    event.add("url", meeting.url)
    event.add("location", meeting.url)  # where most clients show a "join" link
    event.add("organizer", vCalAddress.new(meeting.organizer_email, cn=meeting.organizer_name))
    event.add(
        "attendee",
        vCalAddress.new(
            meeting.attendee_email,
            cn=meeting.attendee_name,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=True,
        ),
    )
    event.add("status", status)
    return event


def _utc(moment: datetime) -> datetime:
    """UTC (the ``Z`` form) needs no VTIMEZONE block, which clients handle unevenly, and is
    the same instant whatever zone the customer's calendar shows it in. A naive datetime is
    refused: ``astimezone`` would silently read it as the server's local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Meeting times must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)
