"""The booking e-mails, with their calendar invites (consultations/calendar.py)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from consultations.calendar import Meeting, ics_attachment, invite_ics


def meeting(booking) -> Meeting:
    return Meeting(
        uid=f"booking-{booking.token}@bauerfeind.com.au",
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"Video call with {booking.expert.display_name} ({settings.OSCAR_SHOP_NAME})",
        description=(
            f"Your free video call with {booking.expert.display_name}.\n"
            f"Join: {booking.video_url}\n"
            f"Change or cancel: {settings.SITE_URL}{booking.get_absolute_url()}"
        ),
        url=booking.video_url,
        organizer_email=settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">"),
        organizer_name=settings.OSCAR_SHOP_NAME,
        attendee_email=booking.email,
        attendee_name=booking.name,
    )


def _context(booking) -> dict:
    local = booking.starts_at.astimezone(ZoneInfo(booking.customer_time_zone))
    return {
        "booking": booking,
        "local_start": local,
        "zone_label": booking.get_customer_time_zone_display(),
        "status_url": settings.SITE_URL + booking.get_absolute_url(),
        "shop_name": settings.OSCAR_SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
    }


def confirmation_message(booking) -> EmailMultiAlternatives:
    context = _context(booking)
    message = EmailMultiAlternatives(
        subject=f"Your video call on {context['local_start']:%A %-d %B at %-I:%M %p}",
        body=render_to_string("consultations/emails/confirmation.txt", context),
        to=[booking.email],
    )
    message.attach_alternative(
        render_to_string("consultations/emails/confirmation.html", context), "text/html"
    )
    message.attach(*ics_attachment(invite_ics(meeting(booking)), "REQUEST"))
    return message
