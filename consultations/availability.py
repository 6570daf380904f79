"""When experts are free: the slots a customer can book.

Each expert works weekly windows in their own time zone. A window is cut into slots of
CONSULTATION_LENGTH_MINUTES, one every length + CONSULTATION_BUFFER_MINUTES from the window's
start, so the buffer is always respected and two calls of one expert that would overlap start
at the same instant (which the database's unique constraint then refuses). Local times become
UTC instants with zoneinfo, so each zone's daylight-saving change (first Sunday of October and
of April, none in Brisbane or Perth) moves the UTC slot, not the expert's working hours.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from consultations.models import Booking, Expert, TimeOff
from core import clock


def slot_length() -> timedelta:
    return timedelta(minutes=settings.CONSULTATION_LENGTH_MINUTES)


def slot_step() -> timedelta:
    return timedelta(
        minutes=settings.CONSULTATION_LENGTH_MINUTES + settings.CONSULTATION_BUFFER_MINUTES
    )


def expert_day_slots(expert: Expert, day: date, windows) -> list[datetime]:
    """The UTC starts of the expert's slots on a calendar day of their own zone."""
    zone = ZoneInfo(expert.time_zone)
    starts = []
    for window in windows:
        if window.weekday != day.weekday():
            continue
        start = datetime.combine(day, window.start_time, tzinfo=zone)
        end = datetime.combine(day, window.end_time, tzinfo=zone)
        # Step in UTC: on a changeover day local arithmetic would skip or repeat an hour.
        cursor, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        while cursor + slot_length() <= end_utc:
            starts.append(cursor)
            cursor += slot_step()
    return starts


@dataclass(frozen=True)
class Candidate:
    """An expert who can take a call at a given time, and how busy they are that day."""

    expert: Expert
    bookings_that_day: int


def bookable_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or clock.now()
    return (
        now + timedelta(hours=settings.BOOKING_MINIMUM_NOTICE_HOURS),
        now + timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


class Availability:
    """Everything needed to answer "who is free when" for one topic over a period, read in a
    fixed number of queries (experts, their windows, time off, confirmed bookings)."""

    def __init__(self, *, topic, start: datetime, end: datetime, exclude_booking_id=None):
        self.start, self.end = start, end
        self.experts = list(
            Expert.objects.filter(active=True, topics=topic).prefetch_related("availability")
        )
        ids = [e.pk for e in self.experts]
        self.zones = {e.pk: ZoneInfo(e.time_zone) for e in self.experts}
        self.time_off = defaultdict(list)
        for off in TimeOff.objects.filter(
            expert_id__in=ids,
            ends_at__gt=start - timedelta(days=1),
            starts_at__lt=end + timedelta(days=1),
        ):
            self.time_off[off.expert_id].append((off.starts_at, off.ends_at))
        booked = Booking.objects.confirmed().filter(
            expert_id__in=ids,
            starts_at__gte=start - timedelta(days=1),
            starts_at__lt=end + timedelta(days=1),
        )
        if exclude_booking_id:
            booked = booked.exclude(pk=exclude_booking_id)
        self.booked = defaultdict(set)
        self.per_day = defaultdict(int)
        for expert_id, starts_at in booked.values_list("expert_id", "starts_at"):
            self.booked[expert_id].add(starts_at)
            self.per_day[expert_id, self._local_day(expert_id, starts_at)] += 1

    def _local_day(self, expert_id, instant: datetime) -> date:
        return instant.astimezone(self.zones[expert_id]).date()

    def _free(self, expert: Expert, slot: datetime) -> bool:
        if slot in self.booked[expert.pk]:
            return False
        if self.per_day[expert.pk, self._local_day(expert.pk, slot)] >= expert.daily_maximum:
            return False
        slot_end = slot + slot_length()
        return not any(
            off_start < slot_end and slot < off_end
            for off_start, off_end in self.time_off[expert.pk]
        )

    def slots_by_expert(self) -> dict[datetime, list[Expert]]:
        """Every free slot in [start, end) and the experts free at it."""
        free = defaultdict(list)
        for expert in self.experts:
            zone = ZoneInfo(expert.time_zone)
            day, last = self.start.astimezone(zone).date(), self.end.astimezone(zone).date()
            windows = list(expert.availability.all())
            while day <= last:
                for slot in expert_day_slots(expert, day, windows):
                    if self.start <= slot < self.end and self._free(expert, slot):
                        free[slot].append(expert)
                day += timedelta(days=1)
        return dict(sorted(free.items()))

    def candidates(self, slot: datetime) -> list[Candidate]:
        """Experts free at `slot` (on their grid, not booked, not off, under their daily
        maximum), least booked that day first; ties go to whoever has fewer calls in the whole
        period, so work spreads evenly, then to the lower id so the order is stable."""
        found = []
        for expert in sorted(self.experts, key=lambda e: e.pk):
            day = slot.astimezone(ZoneInfo(expert.time_zone)).date()
            on_grid = slot in expert_day_slots(expert, day, expert.availability.all())
            if on_grid and self._free(expert, slot):
                found.append(Candidate(expert, self.per_day[expert.pk, day]))
        return sorted(
            found, key=lambda c: (c.bookings_that_day, len(self.booked[c.expert.pk]), c.expert.pk)
        )


def free_slots(*, topic, now: datetime | None = None) -> list[datetime]:
    """The UTC starts a customer can book for a topic now (minimum notice to horizon)."""
    start, end = bookable_window(now)
    return list(Availability(topic=topic, start=start, end=end).slots_by_expert())


def movable_slots(booking, *, keep_expert: bool, now: datetime | None = None) -> list[datetime]:
    """The one answer to "which times can this booking move to": free times on its topic
    within the booking window, its own time left out and its own place not counted against
    it. With ``keep_expert`` a confirmed call moves only to its own expert's free times (staff
    moving it; a lead gives it to someone else separately); without, to any expert's (the
    customer: booking_reschedule keeps the same expert when they are free, else the least
    booked one). The customer's page and the dashboard offer these; booking_reschedule
    checks the chosen time against the same rule."""
    start, end = bookable_window(now)
    slots = Availability(
        topic=booking.topic, start=start, end=end, exclude_booking_id=booking.pk
    ).slots_by_expert()
    own = booking.expert if keep_expert and booking.is_confirmed else None
    return [
        slot
        for slot, experts in slots.items()
        if slot != booking.starts_at and (own is None or own in experts)
    ]


def parse_slot(value) -> datetime | None:
    """A time as pages and links carry it (ISO 8601 with its offset) as a UTC instant, or None
    for anything else: one parser for the booking form, the booking page and the dashboard."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def nearest_free_slots(
    *, topic, around: datetime, count: int = 3, now: datetime | None = None, exclude_booking_id=None
) -> list[datetime]:
    start, end = bookable_window(now)
    slots = Availability(
        topic=topic, start=start, end=end, exclude_booking_id=exclude_booking_id
    ).slots_by_expert()
    return sorted(slots, key=lambda slot: abs(slot - around))[:count]
