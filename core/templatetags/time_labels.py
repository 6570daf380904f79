"""``{{ booking.starts_at|time_label:"full" }}``: core/timelabels.py, in the current zone (a
page or e-mail about a booking sets the customer's with ``timezone.override``)."""

from django import template

from core.timelabels import time_label as label

register = template.Library()


@register.filter
def time_label(instant, style="full"):
    return label(instant, None, style)
