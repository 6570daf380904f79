"""The one place the site asks what time it is.

Every rule that compares with "now" (booking notice and horizon, allocation, reminders, the
outbox's sweeps, retention, scheduled articles, form limits) calls ``clock.now()`` (or one of
the helpers below) instead of ``timezone.now()`` or ``datetime.now()``; ``make lint`` refuses
those two anywhere else in the site's code (ruff's banned-api list in pyproject.toml).

Tests move this clock with time-machine (the ``clock`` fixture in tests/conftest.py), which
moves Python's own clock, so a test can stand at 23:59 in Sydney, on the Sunday a daylight-
saving change happens, or 181 days after an enquiry closed, and every layer agrees on the
time: services, querysets, templates and the worker started in the same process.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return timezone.now()  # noqa: TID251 (this is the one place)


def local_now(zone: str | ZoneInfo | None = None) -> datetime:
    """The current instant in ``zone`` (an IANA name or ZoneInfo), or in the site's zone."""
    if zone is None:
        return timezone.localtime(now())
    return now().astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


def today(zone: str | ZoneInfo | None = None) -> date:
    """Today's date where ``zone`` is (the site's zone when not given): in Perth it is still
    yesterday for two hours after Sydney's midnight."""
    return local_now(zone).date()


def ago(**delta) -> datetime:
    """``clock.ago(days=180)``: the instant that long before now."""
    return now() - timedelta(**delta)
