"""The dashboard front page's figures beyond Oscar's own: the health-fund queue, the
consultation calendar and queue, and orders, enquiries and bookings per day. Each function
reads only what one role may see; the view decides which to call."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone
from oscar.core.loading import get_model

from consultations.models import Booking
from insurance.models import Enquiry

Order = get_model("order", "Order")


def duration_text(delta: timedelta) -> str:
    """Like "2 days 3 h", "3 h 20 min" or "12 min": how long staff took, to the minute."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def enquiry_figures(*, now: datetime) -> dict:
    open_enquiries = Enquiry.objects.filter(
        status__in=[Enquiry.Status.NEW, Enquiry.Status.IN_PROGRESS]
    )
    answered = Enquiry.objects.filter(answered_at__gte=now - timedelta(days=7)).values_list(
        "created_at", "answered_at"
    )
    waits = [answered_at - created_at for created_at, answered_at in answered]
    oldest = open_enquiries.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "open": open_enquiries.count(),
        "answered_7_days": len(waits),
        "median_time_to_answer": duration_text(statistics.median(waits)) if waits else None,
        "oldest_open_since": oldest,
    }


def booking_figures(*, now: datetime, expert=None) -> dict:
    """Calls today and this week (Monday to Sunday, in the site's time zone) and the queue's
    oldest item; for one expert, only their own calls (the queue is everyone's)."""
    calls = Booking.objects.confirmed()
    if expert is not None:
        calls = calls.filter(expert=expert)
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    waiting = Booking.objects.filter(
        status__in=[Booking.Status.QUEUED, Booking.Status.NEEDS_NEW_TIME]
    )
    return {
        "today": calls.filter(starts_at__range=_day_range(today, today)).count(),
        "this_week": calls.filter(
            starts_at__range=_day_range(monday, monday + timedelta(days=6))
        ).count(),
        "waiting": waiting.count(),
        "oldest_waiting_since": waiting.aggregate(oldest=Min("queued_at"))["oldest"],
    }


def _day_range(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end - timedelta(microseconds=1)


@dataclass(frozen=True)
class Series:
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def daily_counts(queryset, field: str, *, days: list[date]) -> list[int]:
    """How many rows fall on each of `days` (local dates), by the datetime `field`."""
    start, end = _day_range(days[0], days[-1])
    per_day = dict(
        queryset.filter(**{f"{field}__range": (start, end)})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [per_day.get(day, 0) for day in days]


def last_days(*, now: datetime, count: int = 30) -> list[date]:
    today = timezone.localdate(now)
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def activity_series(*, now: datetime, orders: bool, enquiries: bool, bookings: bool):
    days = last_days(now=now)
    series = []
    if orders:
        series.append(Series("Orders", daily_counts(Order.objects, "date_placed", days=days)))
    if enquiries:
        series.append(Series("Enquiries", daily_counts(Enquiry.objects, "created_at", days=days)))
    if bookings:
        series.append(Series("Bookings", daily_counts(Booking.objects, "created_at", days=days)))
    return days, series


CHART_WIDTH, CHART_HEIGHT = 600, 160


def chart_lines(series: list[Series]) -> list[dict]:
    """Each series as the points of an SVG polyline over a CHART_WIDTH x CHART_HEIGHT box,
    all on one scale (the highest day of any series reaches the top)."""
    highest = max((max(s.counts) for s in series if s.counts), default=0) or 1
    lines = []
    for s in series:
        step = CHART_WIDTH / max(len(s.counts) - 1, 1)
        points = " ".join(
            f"{i * step:.1f},{CHART_HEIGHT - n * CHART_HEIGHT / highest:.1f}"
            for i, n in enumerate(s.counts)
        )
        lines.append({"series": s, "points": points})
    return lines
