"""What the consultations dashboard reads: each user's bookings and experts (an expert only
their own), today's board and the days of an expert's calendar."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q

from consultations.availability import Availability
from consultations.dashboard.access import is_lead
from consultations.models import Booking, Expert, TimeOff, WeeklyAvailability
from core import clock


def bookings_for(user):
    bookings = Booking.objects.select_related("expert", "topic")
    return bookings if is_lead(user) else bookings.filter(expert__user=user)


def experts_for(user):
    return Expert.objects.all() if is_lead(user) else Expert.objects.filter(user=user)


def waiting_bookings():
    """Bookings no expert has yet, longest waiting first: the lead's queue."""
    return Booking.objects.waiting().select_related("topic").order_by("queued_at", "pk")


def calls_between(bookings, start: datetime, end: datetime):
    return bookings.calls().filter(starts_at__gte=start, starts_at__lt=end)


def free_experts_at(booking) -> set[int]:
    """The ids of the experts on the booking's topic who could take it at its time."""
    availability = Availability(topic=booking.topic, start=booking.starts_at, end=booking.ends_at)
    return {candidate.expert.pk for candidate in availability.candidates(booking.starts_at)}


def sweep_interval() -> timedelta:
    """How often beat re-sends bookings left queued (settings.CELERY_BEAT_SCHEDULE): a booking
    queued for longer means the queue or the sweep is stuck."""
    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-stale-bookings"]["schedule"]
    return schedule if isinstance(schedule, timedelta) else timedelta(seconds=schedule)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


@dataclass
class CalendarDay:
    date: date
    hours: list[WeeklyAvailability]
    time_off: list[TimeOff]
    calls: list[Booking]


def calendar_days(*, expert: Expert, first: date, count: int) -> list[CalendarDay]:
    """Each day of the expert's own zone from `first`: their working hours, time off and calls
    (confirmed, held or missed), in three queries whatever the number of days."""
    zone = ZoneInfo(expert.time_zone)
    start, end = local_midnight(first, zone), local_midnight(first + timedelta(count), zone)
    windows = list(expert.availability.all())
    time_off = list(expert.time_off.filter(starts_at__lt=end, ends_at__gt=start))
    calls = list(calls_between(expert.bookings.select_related("topic"), start, end))
    days = []
    for offset in range(count):
        day = first + timedelta(offset)
        day_start, day_end = local_midnight(day, zone), local_midnight(day + timedelta(1), zone)
        days.append(
            CalendarDay(
                date=day,
                hours=[w for w in windows if w.weekday == day.weekday()],
                time_off=[o for o in time_off if o.starts_at < day_end and o.ends_at > day_start],
                calls=[b for b in calls if day_start <= b.starts_at < day_end],
            )
        )
    return days


def recommendation_figures(*, days: int = 30) -> dict:
    """For leads, per expert over the last `days` days: calls held (confirmed or completed,
    their time passed), those the expert recommended supports after, those recommendations
    an order followed, and the orders (consultations.Recommendation.orders)."""
    now = clock.now()
    held = Booking.objects.filter(
        status__in=(Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
        starts_at__gte=now - timedelta(days=days),
        starts_at__lt=now,
        expert__isnull=False,
    )
    rows = list(
        held.values("expert__display_name")
        .annotate(
            calls=Count("pk", distinct=True),
            recommended=Count("recommendation", distinct=True),
            ordered=Count(
                "recommendation", filter=Q(recommendation__orders__isnull=False), distinct=True
            ),
            orders=Count("recommendation__orders", distinct=True),
        )
        .order_by("expert__display_name")
    )
    keys = ("calls", "recommended", "ordered", "orders")
    return {
        "days": days,
        "rows": rows,
        "totals": {key: sum(row[key] for row in rows) for key in keys},
    }
