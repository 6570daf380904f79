"""Booking a video call, and following the booking through the queue."""

import re
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from consultations.availability import free_slots, movable_slots, parse_slot
from consultations.forms import CONSENT_TEXT, CONSENT_VERSION, EARLIEST, BookingForm
from consultations.models import AUSTRALIAN_TIME_ZONES, DEFAULT_TIME_ZONE, Booking, Topic
from consultations.services import (
    BookingChanged,
    TimeNotFree,
    TooLateToChange,
    booking_cancel,
    booking_request_create,
    booking_reschedule,
    queue_position,
)
from core import funnel
from core.encryption import seal, unseal
from core.limits import LimitReached, address_confirm
from core.requests import client_ip
from core.timelabels import time_label
from core.utils import parse_id
from shop.selectors import Product

TIME_ZONE_KEY = "booking_time_zone"
ZONES = dict(AUSTRALIAN_TIME_ZONES)
# Which topic a product's category suggests, so "Book a free video fitting" on a product
# page opens the booking form on the right topic.
TOPIC_FOR_CATEGORY = {
    "back-and-spine": "back",
    "knee": "knee",
    "ankle-and-foot": "ankle-and-foot",
    "wrist-and-hand": "wrist-and-hand",
}


@never_cache
def book(request):
    params = request.POST if request.method == "POST" else request.GET
    product = _product(params.get("product"))
    slug = params.get("topic") or ""
    # Only a slug reaches the database (PostgreSQL refuses a NUL byte with an error).
    slug = slug if re.fullmatch(r"[-a-z0-9]{1,50}", slug) else _topic_for(product)
    topic = Topic.objects.filter(slug=slug).first()
    if request.method == "POST":
        topic = Topic.objects.filter(pk=parse_id(params.get("topic"))).first() or topic
    zone = params.get("time_zone") or request.session.get(TIME_ZONE_KEY) or DEFAULT_TIME_ZONE
    zone = zone if zone in ZONES else DEFAULT_TIME_ZONE
    request.session[TIME_ZONE_KEY] = zone
    slots = free_slots(topic=topic) if topic else []

    limit = None
    if request.method == "POST":
        form = BookingForm(request.POST, free_slots=slots)
        if form.is_valid():
            try:
                booking, _created = booking_request_create(
                    data=form.cleaned_data,
                    consent_text=CONSENT_TEXT,
                    consent_version=CONSENT_VERSION,
                    client_address=client_ip(request),
                    submission_key=form.cleaned_data["submission_key"],
                )
                funnel.step(request, "call")
                return redirect(booking)
            except LimitReached as reached:
                # What they typed stays on the page, with why and what they can do instead.
                limit, status = reached, 429
        else:
            status = 400
    else:
        initial = {
            "topic": topic,
            "product": product,
            "time_zone": zone,
            "slot": EARLIEST,
            # From a health-fund answer's link; the form checks them (hidden fields).
            "enquiry_reference": params.get("enquiry", "")[:12],
            "size": unseal(params.get("size", "")[:1000])[:60],  # sealed: the links never show it
        }
        form, status = BookingForm(initial=initial, free_slots=slots), 200
    context = {
        "form": form,
        "topic": topic,
        "product": product,
        "zone": zone,
        "zones": AUSTRALIAN_TIME_ZONES,
        "topics": Topic.objects.all(),
        "slot_days": _by_local_day(slots, zone),
        "chosen_slot": form["slot"].value(),
        "length": settings.CONSULTATION_LENGTH_MINUTES,
        "limit": limit,
        # "Show free times" is a GET form: the size it carries on is sealed again
        "sealed_size": seal(form["size"].value()) if form["size"].value() else "",
    }
    response = render(request, "consultations/book.html", context, status=status)
    if limit and limit.retry_after:
        response["Retry-After"] = str(limit.retry_after)
    return response


def _product(value):
    return Product.objects.browsable().filter(pk=parse_id(value)).first() if value else None


def _topic_for(product) -> str:
    if product is None:
        return ""
    category = product.categories.order_by("depth").first()
    return TOPIC_FOR_CATEGORY.get(category.get_root().slug if category else "", "general-fitting")


def _by_local_day(slots, zone):
    """[(local date, [(value, "11:00 am"), ...]), ...] in the customer's zone."""
    days = defaultdict(list)
    tz = ZoneInfo(zone)
    for slot in slots:
        days[slot.astimezone(tz).date()].append(slot)
    labelled = []
    for day, day_slots in sorted(days.items()):
        # On the day the clocks change, the hour repeated (or skipped) makes one wall time
        # ambiguous: that day's labels carry the zone's abbreviation ("2:00 am AEST").
        changes = len({slot.astimezone(tz).utcoffset() for slot in day_slots}) > 1
        labelled.append(
            (
                day,
                [
                    (slot.isoformat(), _time(slot, zone, with_zone=changes))
                    for slot in sorted(day_slots)
                ],
            )
        )
    return labelled


def _time(slot, zone, *, with_zone: bool) -> str:
    label = time_label(slot, zone, "time").lower()
    return f"{label} {slot.astimezone(ZoneInfo(zone)):%Z}" if with_zone else label


def _booking(token) -> Booking:
    if len(token) > 64:
        raise Http404
    return get_object_or_404(Booking.objects.select_related("expert", "topic"), token=token)


@never_cache
def booking_status(request, token):
    """The booking's state; for an open booking, changing the time or cancelling."""
    booking = _booking(token)
    if "confirm" in request.GET:  # followed from one of the booking's e-mails
        address_confirm(request.GET["confirm"])
    error, status = "", 200
    if request.method == "POST":
        cancelling = request.POST.get("action") == "cancel"
        version = posted_version(request)
        try:
            if cancelling:
                booking_cancel(booking_id=booking.pk, version=version)
            else:
                slot = parse_slot(request.POST.get("slot"))
                if slot is None:
                    raise TimeNotFree
                booking_reschedule(booking_id=booking.pk, slot=slot, version=version)
            return redirect(booking)
        except TooLateToChange:
            error, status = (
                f"Your call starts within {settings.BOOKING_MINIMUM_NOTICE_HOURS} hours, so it "
                f"can't be changed here. Please call us on {settings.SHOP_PHONE}.",
                400,
            )
        except TimeNotFree:
            error, status = "That time is no longer free. Please choose another.", 409
        except BookingChanged:
            error, status = (
                "Your booking was changed a moment ago, so "
                f"{'nothing was cancelled' if cancelling else 'it was not moved'}. "
                "Here it is as it stands now.",
                409,
            )
        booking.refresh_from_db()
    zone = booking.customer_time_zone
    offered = parse_slot(request.GET.get("slot") or request.POST.get("slot"))
    context = {
        "booking": booking,
        "recommendation": getattr(booking, "recommendation", None),
        "local_start": booking.starts_at.astimezone(ZoneInfo(zone)),
        "zone_label": booking.get_customer_time_zone_display(),
        "position": queue_position(booking) if booking.status == Booking.Status.QUEUED else None,
        "can_change": booking.is_movable,
        "slot_days": _by_local_day(movable_slots(booking, keep_expert=False), zone),
        "offered": offered.isoformat() if offered else "",
        "error": error,
    }
    # Django's date filter shows times in the *current* zone: make it the customer's.
    with timezone.override(ZoneInfo(zone)):
        return render(request, "consultations/booking.html", context, status=status)


def posted_version(request) -> int | None:
    """The booking's `sequence` as the page that sent the form showed it (None if the form
    did not say): a change is refused if the booking changed since (services.BookingChanged)."""
    return parse_id(request.POST["version"]) if "version" in request.POST else None


@never_cache
def booking_status_json(request, token):
    """What the booking page polls while the booking waits in the queue."""
    booking = _booking(token)
    queued = booking.status == Booking.Status.QUEUED
    return JsonResponse(
        {"status": booking.status, "position": queue_position(booking) if queued else None}
    )


def booking_invite(request, token):
    booking = _booking(token)
    if not booking.is_confirmed:
        raise Http404
    response = HttpResponse(_invite(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="video-call.ics"'
    return response


def _invite(booking) -> bytes:
    # Imported here: icalendar is 8 MB of every web worker's memory, for one download.
    from consultations.calendar import invite_ics
    from consultations.emails import meeting

    return invite_ics(meeting(booking))
