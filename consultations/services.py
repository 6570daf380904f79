"""The booking queue's business steps, shared by views and the Celery worker.

Work is claimed in the database, never in Redis: a task may run twice, or be killed half-way,
and the booking is still allocated once (the row lock, the status check, the unique constraint).
"""

import logging
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from consultations.availability import (
    Availability,
    bookable_window,
    expert_day_slots,
    nearest_free_slots,
    slot_length,
)
from consultations.models import (
    Booking,
    BookingEvent,
    Expert,
    Recommendation,
    RecommendedItem,
    TimeOff,
    WeeklyAvailability,
)
from consultations.video import video_provider
from core import clock, limits, outbox
from core.limits import LimitReached
from core.queue import enqueue, enqueue_on_commit
from core.timelabels import time_label

logger = logging.getLogger(__name__)

# Queued by name: the tasks module imports this one, never the other way round.
ALLOCATE = "consultations.tasks.allocate_booking"


def booking_request_create(
    *,
    data: dict,
    consent_text: str,
    consent_version: str,
    client_address: str,
    submission_key,
) -> tuple[Booking, bool]:
    """Save the request as `queued` and wake a worker once it is committed. The customer is
    sent straight to the booking's page, which follows it through the queue. Returns
    (booking, created): a form sent again (the same `submission_key`) returns the booking it
    made, and makes and sends nothing new.

    Raises core.limits.LimitReached, saving nothing, when the connecting address has booked
    BOOKING_RATE_LIMIT calls, the e-mail address already has BOOKING_OPEN_PER_EMAIL open
    bookings, or (never confirmed as the typer's) it has been sent its day's e-mails."""
    email = data["email"]
    with transaction.atomic():
        # The same form sent twice at once waits in form_admit for the first, then finds it;
        # bookings for one e-mail address are counted one after the other (its row is locked).
        existing = limits.form_admit(
            scope="booking",
            rate=settings.BOOKING_RATE_LIMIT,
            client_address=client_address,
            email=email,
            already_made=lambda: Booking.objects.filter(submission_key=submission_key).first(),
        )
        if existing is not None:
            return existing, False
        if Booking.objects.open().filter(email__iexact=email).count() >= (
            settings.BOOKING_OPEN_PER_EMAIL
        ):
            raise LimitReached("open_bookings", count=settings.BOOKING_OPEN_PER_EMAIL)
        booking = Booking.objects.create(
            submission_key=submission_key,
            topic=data["topic"],
            product=data.get("product"),
            **(
                {"enquiry_reference": data["enquiry_reference"], "size": data.get("size", "")}
                if data.get("share_enquiry") and data.get("enquiry_reference")
                else {}
            ),
            customer_time_zone=data["time_zone"],
            starts_at=data["slot"],
            ends_at=data["slot"] + slot_length(),
            name=data["name"],
            email=email,
            phone=data.get("phone", ""),
            description=data["description"],
            consent_text=consent_text,
            consent_version=consent_version,
            queued_at=clock.now(),
        )
    enqueue_on_commit(ALLOCATE, booking.pk)
    return booking, True


def queue_position(booking) -> int:
    """1 for the next booking the workers will take."""
    earlier = Booking.objects.filter(status=Booking.Status.QUEUED, queued_at__lt=booking.queued_at)
    return earlier.count() + 1


def booking_allocate(*, booking_id: int) -> str:
    """Give a queued booking an expert free at its time, least booked that day first.

    Runs inside one transaction holding the booking's row lock. Each candidate is tried in a
    savepoint: if another worker confirmed a booking for that expert and time a moment ago, the
    database refuses (unique/exclusion constraint) and the next candidate is tried. With nobody
    left, the booking needs a new time, or joins the waitlist if nothing at all is free within
    the horizon. Returns the booking's status afterwards."""
    with transaction.atomic():
        # of=self: lock the booking only. Without it PostgreSQL also locks the topic's row, so
        # allocations on one topic ran one at a time and new bookings on it waited for them.
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("topic")
            .get(pk=booking_id)
        )
        if booking.status != Booking.Status.QUEUED:
            return booking.status  # done already (a second delivery of the same message)
        start, end = bookable_window()
        availability = Availability(topic=booking.topic, start=start, end=end)
        refused = False
        for candidate in availability.candidates(booking.starts_at):
            try:
                with transaction.atomic():
                    booking.expert = candidate.expert
                    booking.status = Booking.Status.CONFIRMED
                    booking.confirmed_at = clock.now()
                    booking.video_url = video_provider().meeting_url(booking)
                    booking.save()
            except IntegrityError:
                booking.expert, booking.status = None, Booking.Status.QUEUED
                refused = True
                continue
            logger.info("Booking %s confirmed", booking.pk)
            outbox.owe("booking.confirmation", booking.pk)
            return booking.status
        if refused:
            # Another worker took that time after `availability` was read: read it again, or
            # the times it shows free would keep this booking off the waitlist with nothing to
            # choose from.
            availability = Availability(topic=booking.topic, start=start, end=end)
        booking.status = (
            Booking.Status.NEEDS_NEW_TIME
            if availability.slots_by_expert()
            else Booking.Status.WAITLISTED
        )
        booking.save(update_fields=["status", "expert", "updated_at"])
        if booking.status == Booking.Status.NEEDS_NEW_TIME:
            # The nearest free times, as one-click links (nothing sent them before).
            outbox.owe("booking.new_time_offer", booking.pk)
        logger.info("Booking %s: %s", booking.pk, booking.status)
        return booking.status


def bookings_requeue_stale(*, older_than_seconds: int = 120) -> int:
    """Send again the bookings that sat `queued` too long: their message was lost (Redis
    restarted or flushed) or a worker died holding it. Allocation is idempotent, so a booking
    whose first message is merely slow is safe to send twice."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    stale = list(
        Booking.objects.filter(status=Booking.Status.QUEUED, queued_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for booking_id in stale:
        enqueue(ALLOCATE, booking_id)
    if stale:
        logger.warning("Re-queued %d bookings left queued since before %s", len(stale), cutoff)
    return len(stale)


def new_time_offers(booking, count: int = 3) -> list[dict]:
    """The free times nearest the one the customer lost, as one-click links to their page."""
    zone = booking.customer_time_zone
    offers = []
    for slot in nearest_free_slots(topic=booking.topic, around=booking.starts_at, count=count):
        query = urlencode({"slot": slot.isoformat()})
        offers.append(
            {
                "label": time_label(slot, zone, "day_time"),
                "url": f"{settings.SITE_URL}{booking.get_absolute_url()}?{query}",
            }
        )
    return offers


# --------------------------------------------------------------------------------------------
# Changes to a booking: the customer's from their booking page (by=None), staff's from the
# dashboard (by=the staff user). Each is recorded as a BookingEvent in the same transaction.
# --------------------------------------------------------------------------------------------


class TooLateToChange(Exception):
    """The call starts within the minimum notice: call us instead."""


class TimeNotFree(Exception):
    """Someone else has just taken that time."""


class WrongState(Exception):
    """The booking's status does not allow this change (cancelled, already finished...)."""


class CallNotStarted(Exception):
    """Whether a call was held can only be said once it has started."""


class BookingChanged(Exception):
    """The booking was moved, reassigned or cancelled after the page asking for this change
    was shown: doing it now would act on a call the person did not see."""


def _check_version(booking, version):
    """`version` is the booking's `sequence` on the page the request came from (None: not
    checked). Every change to a call raises the sequence, so of two changes made at once
    from the same page state, the second is refused instead of silently following the first
    (a customer's cancel landing on a call staff just moved: two e-mails, the second undoing
    the first)."""
    if version is not None and booking.sequence != version:
        raise BookingChanged


def _event(booking, action, *, by, detail=""):
    BookingEvent.objects.create(booking=booking, action=action, actor=by, detail=detail)


def _when(booking, instant) -> str:
    """A time as the customer sees it, with its zone: "Tue 3 Mar, 9:00 AM AEDT"."""
    return time_label(instant, booking.customer_time_zone, "short", with_zone=True)


def _check_notice(booking):
    if booking.starts_at - clock.now() < timedelta(hours=settings.BOOKING_MINIMUM_NOTICE_HOURS):
        raise TooLateToChange


def booking_cancel(*, booking_id: int, by=None, version: int | None = None) -> Booking:
    """Cancel an open booking; its time goes to the first waitlisted booking on the topic.
    Cancelling a cancelled booking again changes nothing (a double click)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if not booking.is_open:
            return booking
        _check_version(booking, version)
        if booking.is_confirmed:
            _check_notice(booking)
        freed = booking.is_confirmed
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = clock.now()
        booking.sequence += 1
        booking.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        _event(booking, BookingEvent.Action.CANCELLED, by=by)
        outbox.owe("booking.cancellation", booking.pk)
        if freed:
            waitlist_offer(topic=booking.topic, slot=booking.starts_at)
    return booking


def waitlist_offer(*, topic, slot) -> Booking | None:
    """Give a freed time to the longest-waiting waitlisted booking on the topic: it is queued
    again for that time, and the worker confirms it (or, if taken meanwhile, offers others)."""
    waiting = (
        Booking.objects.select_for_update(skip_locked=True)
        .filter(status=Booking.Status.WAITLISTED, topic=topic)
        .order_by("queued_at", "pk")
        .first()
    )
    if waiting is None:
        return None
    waiting.starts_at, waiting.ends_at = slot, slot + slot_length()
    waiting.status, waiting.queued_at = Booking.Status.QUEUED, clock.now()
    waiting.save(update_fields=["starts_at", "ends_at", "status", "queued_at", "updated_at"])
    enqueue_on_commit(ALLOCATE, waiting.pk)
    return waiting


def booking_reschedule(
    *, booking_id: int, slot, by=None, version: int | None = None, keep_expert: bool = False
) -> Booking:
    """Move a booking to another free time: at once for a confirmed booking (same transaction,
    the constraint still guards the new time), by re-queueing for one that needs a new time."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        _check_version(booking, version)
        if not booking.is_open:
            raise TimeNotFree
        if booking.is_confirmed:
            _check_notice(booking)
        start, end = bookable_window()
        if not start <= slot < end:
            raise TimeNotFree
        old_start, was_confirmed = booking.starts_at, booking.is_confirmed
        old_expert = booking.expert
        booking.starts_at, booking.ends_at = slot, slot + slot_length()
        if was_confirmed:
            availability = Availability(
                topic=booking.topic, start=start, end=end, exclude_booking_id=booking.pk
            )
            candidates = availability.candidates(slot)
            own = [c for c in candidates if c.expert == booking.expert]
            # The rule of availability.movable_slots, checked again under the row lock.
            preferred = own if keep_expert else (own or candidates)
            if not preferred:
                raise TimeNotFree
            try:
                with transaction.atomic():
                    booking.expert = preferred[0].expert
                    booking.sequence += 1
                    booking.confirmation_sent_at = None  # the new invite goes out
                    booking.reminder_24h_sent_at = booking.reminder_1h_sent_at = None
                    booking.save()
            except IntegrityError:
                raise TimeNotFree from None
            outbox.owe("booking.confirmation", booking.pk)
            waitlist_offer(topic=booking.topic, slot=old_start)
        else:
            booking.status, booking.queued_at = Booking.Status.QUEUED, clock.now()
            booking.save()
            enqueue_on_commit(ALLOCATE, booking.pk)
        detail = f"from {_when(booking, old_start)} to {_when(booking, slot)}"
        if booking.expert != old_expert:
            detail += f", with {booking.expert}"
        _event(booking, BookingEvent.Action.RESCHEDULED, by=by, detail=detail)
    return booking


def booking_reassign(*, booking_id: int, expert_id: int, by) -> Booking:
    """Give a confirmed call to another expert who is free at its time (on their grid, not
    booked, not off, under their daily maximum: the allocation's own rules). The video link
    stays; the customer is sent the invite again, with a higher SEQUENCE, naming the new
    expert. The constraint still guards the time if that expert was booked a moment ago."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("topic")
            .get(pk=booking_id)
        )
        if not booking.is_confirmed:
            raise WrongState
        if booking.starts_at <= clock.now():
            raise TooLateToChange
        availability = Availability(
            topic=booking.topic, start=booking.starts_at, end=booking.ends_at
        )
        free = [c.expert for c in availability.candidates(booking.starts_at)]
        expert = next((e for e in free if e.pk == expert_id), None)
        if expert is None:
            raise TimeNotFree
        previous = booking.expert
        try:
            with transaction.atomic():
                booking.expert = expert
                booking.sequence += 1
                booking.confirmation_sent_at = None  # the new invite goes out
                booking.save(
                    update_fields=["expert", "sequence", "confirmation_sent_at", "updated_at"]
                )
        except IntegrityError:
            raise TimeNotFree from None
        detail = f"from {previous} to {expert}"
        _event(booking, BookingEvent.Action.REASSIGNED, by=by, detail=detail)
        outbox.owe("booking.confirmation", booking.pk)
    return booking


def booking_outcome_record(*, booking_id: int, outcome: str, by) -> Booking:
    """Say whether a call that has started was held (completed) or missed (no-show). Beat
    marks ended calls completed on its own, so staff may turn one into a no-show afterwards,
    and correct a slip the other way."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if not booking.is_call:
            raise WrongState
        if booking.starts_at > clock.now():
            raise CallNotStarted
        if booking.status != outcome:
            booking.status = outcome
            booking.save(update_fields=["status", "updated_at"])
            _event(booking, BookingEvent.Action(outcome), by=by)
    return booking


# --------------------------------------------------------------------------------------------
# Experts' working hours and time off, edited from the dashboard
# --------------------------------------------------------------------------------------------


class WouldStrandBookings(Exception):
    """The change would leave confirmed calls outside the expert's hours (or off the grid of
    call times their hours make) or inside their time off: move or reassign those first."""

    def __init__(self, bookings):
        super().__init__(f"{len(bookings)} confirmed booking(s) in the way")
        self.bookings = bookings


def _refuse_stranding(expert, windows) -> None:
    """Refuse new weekly windows that would strand a confirmed call still to come. A call must
    start on one of the new slots, not merely inside the hours: off the grid, the next call
    booked beside it could overlap it."""
    zone = ZoneInfo(expert.time_zone)
    ahead = Booking.objects.confirmed().filter(expert=expert, ends_at__gt=clock.now())
    stranded = [
        booking
        for booking in ahead
        if booking.starts_at
        not in expert_day_slots(expert, booking.starts_at.astimezone(zone).date(), windows)
    ]
    if stranded:
        raise WouldStrandBookings(stranded)


def availability_save(
    *, expert_id: int, weekday: int, start_time, end_time, window_id: int | None = None
) -> WeeklyAvailability:
    """Add a weekly window (or change the one given), unless a confirmed call would be left
    outside the expert's hours. The expert's row is locked so two edits are checked in turn."""
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert_id)
        window = (
            expert.availability.get(pk=window_id)
            if window_id
            else WeeklyAvailability(expert=expert)
        )
        window.weekday, window.start_time, window.end_time = weekday, start_time, end_time
        others = [w for w in expert.availability.all() if w.pk != window.pk]
        _refuse_stranding(expert, [*others, window])
        window.save()
    return window


def availability_delete(*, window_id: int) -> None:
    """Remove a weekly window, unless a confirmed call would be left outside the hours."""
    with transaction.atomic():
        window = WeeklyAvailability.objects.get(pk=window_id)
        expert = Expert.objects.select_for_update().get(pk=window.expert_id)
        _refuse_stranding(expert, [w for w in expert.availability.all() if w.pk != window_id])
        window.delete()


def time_off_add(*, expert_id: int, starts_at, ends_at, reason: str = "") -> TimeOff:
    """Book time off, unless it covers a confirmed call (move or reassign that first)."""
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert_id)
        covered = list(
            Booking.objects.confirmed().filter(
                expert=expert, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
        )
        if covered:
            raise WouldStrandBookings(covered)
        return TimeOff.objects.create(
            expert=expert, starts_at=starts_at, ends_at=ends_at, reason=reason
        )


def time_off_delete(*, time_off_id: int) -> TimeOff:
    """Remove time off: the expert's times in it become bookable again at once."""
    with transaction.atomic():
        time_off = TimeOff.objects.select_related("expert").get(pk=time_off_id)
        Expert.objects.select_for_update().get(pk=time_off.expert_id)  # in turn with edits
        time_off.delete()
    return time_off


# --------------------------------------------------------------------------------------------
# Periodic work, found in the database so a worker that was down catches up
# --------------------------------------------------------------------------------------------


def bookings_complete_past(*, now=None) -> int:
    """Confirmed calls that have ended become completed (staff mark a no-show by hand)."""
    now = now or clock.now()
    return (
        Booking.objects.confirmed()
        .filter(ends_at__lt=now)
        .update(status=Booking.Status.COMPLETED, updated_at=now)
    )


ERASE_BATCH = 500


def bookings_erase_expired(*, now=None) -> int:
    """Erase the customer's personal and health details (name, e-mail, phone, the problem
    they described, the video link) from bookings finished longer ago than
    BOOKING_RETENTION_DAYS: a call held or missed (from its end), or a booking cancelled
    (from the cancellation). Open bookings are never touched.

    Unlike an enquiry the row stays, with placeholders in those fields (Booking.ERASED_DETAILS),
    so the figures (topic, product, expert, times, status) and the booking's history still
    count it; the erasure joins that history. Idempotent and safe to run twice at once:
    erased_at marks a booking done, and each batch is claimed under row locks."""
    now = now or clock.now()
    cutoff = now - timedelta(days=settings.BOOKING_RETENTION_DAYS)
    expired = Booking.objects.filter(erased_at__isnull=True).filter(
        Q(status__in=(Booking.Status.COMPLETED, Booking.Status.NO_SHOW), ends_at__lt=cutoff)
        | Q(status=Booking.Status.CANCELLED, cancelled_at__lt=cutoff)
        | Q(status=Booking.Status.CANCELLED, cancelled_at__isnull=True, updated_at__lt=cutoff)
    )
    erased = 0
    while True:
        with transaction.atomic():
            batch = list(
                expired.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:ERASE_BATCH]
            )
            if not batch:
                break
            Booking.objects.filter(pk__in=batch).update(**Booking.ERASED_DETAILS, erased_at=now)
            Recommendation.objects.filter(booking_id__in=batch).update(note="")
            BookingEvent.objects.bulk_create(
                BookingEvent(booking_id=pk, action=BookingEvent.Action.ERASED) for pk in batch
            )
        erased += len(batch)
    if erased:
        logger.info("Erased the details of %d bookings finished before %s", erased, cutoff.date())
    return erased


# --------------------------------------------------------------------------------------------
# The expert's recommendation
# --------------------------------------------------------------------------------------------


class CannotRecommend(Exception):
    """Only for a call that has started (held or confirmed), with at least one support."""


def recommendation_save(*, booking_id: int, items: list[tuple[int, int]], note: str, by):
    """Record the supports (variant product ids with quantities) the expert recommends for a
    call and e-mail them to the customer (through the outbox). Saving again replaces the
    items and sends the updated recommendation."""
    if not items:
        raise CannotRecommend
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
            raise CannotRecommend
        if booking.starts_at > clock.now():
            raise CannotRecommend
        now = clock.now()
        recommendation, _ = Recommendation.objects.get_or_create(
            booking=booking, defaults={"created_at": now}
        )
        recommendation.expert = booking.expert
        recommendation.note = note
        recommendation.updated_at = now
        recommendation.sent_at = None  # the customer is sent what is recommended now
        recommendation.save()
        recommendation.items.all().delete()
        RecommendedItem.objects.bulk_create(
            RecommendedItem(recommendation=recommendation, product_id=pk, quantity=qty)
            for pk, qty in items
        )
        _event(booking, BookingEvent.Action.RECOMMENDED, by=by, detail=f"{len(items)} support(s)")
        outbox.owe("booking.recommendation", recommendation.pk)
    return recommendation


def recommendation_order_record(*, booking_id: int, order_id: int) -> bool:
    """Attribute an order to the call whose recommendation went into the basket before it."""
    recommendation = Recommendation.objects.filter(booking_id=booking_id).first()
    if recommendation is None:
        return False
    recommendation.orders.add(order_id)
    return True
