"""The dashboard front page's figures beyond Oscar's own: the health-fund queue, the
consultation calendar and queue, and orders, enquiries and bookings per day. Each function
reads only what one role may see; the view decides which to call."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone
from oscar.core.loading import get_model

from consultations.dashboard.selectors import (
    bookings_for,
    calls_between,
    local_midnight,
    waiting_bookings,
)
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
    ).aggregate(count=Count("pk"), oldest=Min("created_at"))
    answered = Enquiry.objects.filter(answered_at__gte=now - timedelta(days=7)).values_list(
        "created_at", "answered_at"
    )
    waits = [answered_at - created_at for created_at, answered_at in answered]
    return {
        "open": open_enquiries["count"],
        "answered_7_days": len(waits),
        "median_time_to_answer": duration_text(statistics.median(waits)) if waits else None,
        "oldest_open_since": open_enquiries["oldest"],
    }


def booking_figures(*, now: datetime, user) -> dict:
    """Calls today and this week (Monday to Sunday, in the site's time zone), counted as
    today's board counts them (an expert's own, a lead's all), and the board's queue."""
    bookings = bookings_for(user)
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    waiting = waiting_bookings().aggregate(count=Count("pk"), oldest=Min("queued_at"))
    return {
        "today": calls_between(bookings, _midnight(today), _midnight(today, 1)).count(),
        "this_week": calls_between(bookings, _midnight(monday), _midnight(monday, 7)).count(),
        "waiting": waiting["count"],
        "oldest_waiting_since": waiting["oldest"],
    }


def _midnight(day: date, days_later: int = 0) -> datetime:
    return local_midnight(day + timedelta(days=days_later), timezone.get_current_timezone())


@dataclass(frozen=True)
class Series:
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def daily_counts(queryset, field: str, *, days: list[date]) -> list[int]:
    """How many rows fall on each of `days` (local dates), by the datetime `field`."""
    per_day = dict(
        queryset.filter(
            **{f"{field}__gte": _midnight(days[0]), f"{field}__lt": _midnight(days[-1], 1)}
        )
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
