"""The booking e-mails, with their calendar invites (consultations/calendar.py).

The confirmation always carries the booking's current invite: after a reschedule it goes
again with the same UID and a higher SEQUENCE, which moves the event in the customer's
calendar; a cancellation carries METHOD:CANCEL so the event disappears."""

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from consultations.calendar import Meeting, cancellation_ics, ics_attachment, invite_ics
from consultations.models import Booking, Recommendation
from consultations.services import new_time_offers
from core import outbox
from core.limits import address_proof
from core.mail import templated_message
from core.timelabels import time_label


def meeting(booking) -> Meeting:
    expert = booking.expert.display_name if booking.expert else "a product expert"
    return Meeting(
        uid=f"booking-{booking.token}@bauerfeind.com.au",
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"Video call with {expert} ({settings.OSCAR_SHOP_NAME})",
        description=(
            f"Your free video call with {expert}.\n"
            f"Join: {booking.video_url}\n"
            f"Change or cancel: {settings.SITE_URL}{booking.get_absolute_url()}"
        ),
        url=booking.video_url or settings.SITE_URL,
        organizer_email=settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">"),
        organizer_name=settings.OSCAR_SHOP_NAME,
        attendee_email=booking.email,
        attendee_name=booking.name,
    )


def _context(booking, **extra) -> dict:
    zone = ZoneInfo(booking.customer_time_zone)
    return {
        "booking": booking,
        "local_start": booking.starts_at.astimezone(zone),
        "zone_label": booking.get_customer_time_zone_display(),
        # Following it also proves the address is the customer's (core.limits): it may then
        # be written to more often than an address anybody could have typed into the form.
        "status_url": settings.SITE_URL
        + booking.get_absolute_url()
        + "?"
        + urlencode({"confirm": address_proof(booking.email)}),
        "shop_name": settings.OSCAR_SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
        **extra,
    }


SUBJECTS = {
    "confirmation": "Your video call on {when}",
    "cancellation": "Your video call on {when} is cancelled",
    "reminder_24h": "Reminder: your video call tomorrow at {time}",
    "reminder_1h": "Your video call starts at {time}",
    "new_time_offer": "Please choose another time for your video call",
}


def booking_message(booking, kind: str, **extra) -> EmailMultiAlternatives:
    # Django's date filter shows times in the *current* zone: make it the customer's.
    with timezone.override(ZoneInfo(booking.customer_time_zone)):
        return _message(booking, kind, **extra)


def _message(booking, kind: str, **extra) -> EmailMultiAlternatives:
    context = _context(booking, **extra)
    zone = booking.customer_time_zone
    subject = SUBJECTS[kind].format(
        when=time_label(booking.starts_at, zone, "day_at_time"),
        time=time_label(booking.starts_at, zone, "time"),
    )
    message = templated_message(
        f"consultations/emails/{kind}", context, to=[booking.email], subject=subject
    )
    if kind == "confirmation":
        message.attach(*ics_attachment(invite_ics(meeting(booking)), "REQUEST"))
    elif kind == "cancellation" and booking.confirmed_at:
        message.attach(*ics_attachment(cancellation_ics(meeting(booking)), "CANCEL"))
    return message


# --------------------------------------------------------------------------------------------
# What a booking owes its customer (core/outbox.py sends it, once)
# --------------------------------------------------------------------------------------------


def _build(kind: str):
    def build(booking) -> EmailMultiAlternatives:
        extra = {"book_url": settings.SITE_URL + reverse("consultations:book")}
        if kind == "new_time_offer":
            extra["offers"] = new_time_offers(booking)
        return booking_message(booking, kind, **extra)

    return build


def _reminder_owed(field: str, ahead: timedelta):
    def owed(now):
        return Booking.objects.confirmed().filter(
            starts_at__gt=now,
            starts_at__lte=now + ahead,
            # A call booked an hour ahead needs no "tomorrow" reminder.
            confirmed_at__lte=F("starts_at") - ahead,
            **{f"{field}__isnull": True},
        )

    return owed


def _declare(kind: str, owed, since: str | None) -> None:
    outbox.declare(
        outbox.OwedEmail(
            kind=f"booking.{kind}",
            owed=lambda now: owed(now).select_related("expert"),
            build=_build(kind),
            since=since,
            sent_field=f"{kind}_sent_at",
            error_field="last_email_error",
            # Moved or given to another expert during the send: the new invite is owed.
            version_field="sequence",
        )
    )


# `since`: updated_at is when it was confirmed, moved or given to another expert.
_declare(
    "confirmation",
    lambda now: Booking.objects.confirmed().filter(
        confirmation_sent_at__isnull=True, starts_at__gt=now
    ),
    since="updated_at",
)
_declare(
    "cancellation",
    lambda now: Booking.objects.filter(
        status=Booking.Status.CANCELLED, cancellation_sent_at__isnull=True
    ),
    since="cancelled_at",
)
_declare(
    "new_time_offer",
    lambda now: Booking.objects.filter(
        status=Booking.Status.NEEDS_NEW_TIME, new_time_offer_sent_at__isnull=True
    ),
    since="updated_at",
)
# Due by the clock: the sweep (every minute) is what sends them.
_declare("reminder_24h", _reminder_owed("reminder_24h_sent_at", timedelta(hours=24)), since=None)
_declare("reminder_1h", _reminder_owed("reminder_1h_sent_at", timedelta(hours=1)), since=None)


def _recommendation_message(recommendation):
    booking = recommendation.booking
    expert = recommendation.expert.display_name if recommendation.expert else "Your expert"
    link = reverse("accounts:recommendation", args=[recommendation.basket_token])
    return templated_message(
        "consultations/emails/recommendation",
        {
            "booking": booking,
            "expert": expert,
            "items": list(recommendation.items.select_related("product__parent")),
            "note": recommendation.note,
            "basket_url": settings.SITE_URL + link,
            "days": settings.RECOMMENDATION_DAYS,
        },
        to=[booking.email],
        subject=f"{expert}'s recommendation after your video call",
    )


outbox.declare(
    outbox.OwedEmail(
        kind="booking.recommendation",
        owed=lambda now: Recommendation.objects.filter(
            sent_at__isnull=True, booking__erased_at__isnull=True
        ).select_related("booking", "expert"),
        build=_recommendation_message,
        since="updated_at",
        sent_field="sent_at",
        error_field="last_email_error",
        # Saved again (items changed) during the send: the new list is owed.
        version_field="updated_at",
        label=lambda recommendation: f"Booking {recommendation.booking_id}",
    )
)
