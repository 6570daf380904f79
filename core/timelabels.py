"""Every time label the site shows or sends: pages, e-mails, calendar descriptions and the
dashboard ask ``time_label`` (in Python) or the ``time_label`` template filter, so the same
instant reads the same way everywhere ("Tuesday 3 March 2027, 9:00 AM").

Labels use Django's date format codes, so a filter in a template and a label built in Python
agree to the character. The zone is the one given (a customer's, an expert's), else the
current one (``timezone.override``), else the site's.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone

STYLES = {
    "full": "l j F Y, g:i A",  # Tuesday 3 March 2027, 9:00 AM
    "day_time": "l j F, g:i A",  # Tuesday 3 March, 9:00 AM
    "day_at_time": r"l j F \a\t g:i A",  # Tuesday 3 March at 9:00 AM
    "short": "D j M, g:i A",  # Tue 3 Mar, 9:00 AM
    "stamp": "j M Y, g:i A",  # 3 Mar 2027, 9:00 AM (when something happened, dashboard)
    "day": "l j F",  # Tuesday 3 March
    "short_day": "D j M",  # Tue 3 Mar
    "date": "j M Y",  # 3 Mar 2027
    "long_date": "j F Y",  # 3 March 2027 (an article's date)
    "short_full": "D j M Y, g:i A",  # Tue 3 Mar 2027, 9:00 AM
    "day_month_time": "j M g:i A",  # 3 Mar 9:00 AM
    "time": "g:i A",  # 9:00 AM
}


def local(instant, zone=None):
    """``instant`` in ``zone`` (an IANA name or ZoneInfo), else in the current zone."""
    if zone is None:
        return timezone.localtime(instant)
    return instant.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


def time_label(instant, zone=None, style: str = "full", *, with_zone: bool = False) -> str:
    """The label of ``instant`` in one of STYLES; ``with_zone`` adds the zone's abbreviation
    as it is on that day ("AEDT" in summer, "AEST" in winter, "AWST" in Perth)."""
    if instant is None or instant == "":
        return ""
    if not isinstance(instant, datetime):  # a day: no zone to convert to
        return dateformat.format(instant, STYLES[style])
    moment = local(instant, zone)
    text = dateformat.format(moment, STYLES[style])
    return f"{text} {moment:%Z}" if with_zone else text
