"""Video consultations with product experts.

The database is the source of truth for the booking queue (see DESIGN.md, "The booking
queue"): Redis only carries the wake-up calls. Two active bookings of one expert at one time
are made impossible by a constraint (`one_confirmed_booking_per_expert_start`; on PostgreSQL
also an exclusion constraint on the time range, see migration 0002), not only by a check in
Python. Times are stored in UTC and shown in the customer's or the expert's own zone.

What the customer tells us about their problem is health information: it is encrypted at rest
(core/encryption.py), every staff member who sees it is recorded (BookingAccess), it never goes
into an e-mail or a log, and it is erased with the customer's other details once the booking
has been finished for BOOKING_RETENTION_DAYS (consultations/services.py).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse

from core import clock
from core.encryption import EncryptedTextField

AUSTRALIAN_TIME_ZONES = [
    ("Australia/Sydney", "Sydney, Canberra (NSW, ACT)"),
    ("Australia/Melbourne", "Melbourne (VIC)"),
    ("Australia/Hobart", "Hobart (TAS)"),
    ("Australia/Brisbane", "Brisbane (QLD, no daylight saving)"),
    ("Australia/Adelaide", "Adelaide (SA)"),
    ("Australia/Darwin", "Darwin (NT, no daylight saving)"),
    ("Australia/Perth", "Perth (WA, no daylight saving)"),
]
DEFAULT_TIME_ZONE = "Australia/Sydney"


class Topic(models.Model):
    """What a customer wants advice on; experts cover one or more."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class Expert(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert"
    )
    display_name = models.CharField(max_length=80)
    bio = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, related_name="experts")
    time_zone = models.CharField(
        max_length=40, choices=AUSTRALIAN_TIME_ZONES, default=DEFAULT_TIME_ZONE
    )
    daily_maximum = models.PositiveSmallIntegerField(default=6, help_text="Calls a day at most.")
    active = models.BooleanField(default=True)
    # A health-fund provider number, where the expert has one: printed on the receipt of a
    # support they fitted or recommended (receipts/), which some funds ask for.
    provider_number = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class WeeklyAvailability(models.Model):
    """A window of working time on a weekday, in the expert's own time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["expert", "weekday", "start_time"]
        verbose_name_plural = "weekly availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="availability_starts_before_it_ends",
            )
        ]

    def __str__(self):
        hours = f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        return f"{self.expert} {self.get_weekday_display()} {hours}"


class TimeOff(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="time_off_starts_before_it_ends",
            )
        ]

    def __str__(self):
        return f"{self.expert} off {self.starts_at:%Y-%m-%d}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class BookingQuerySet(models.QuerySet):
    def open(self):
        """Bookings still to happen or still to be placed: everything not finished."""
        return self.filter(status__in=Booking.OPEN_STATES)

    def confirmed(self):
        return self.filter(status=Booking.Status.CONFIRMED)

    def waiting(self):
        """No expert has them yet: the lead's queue."""
        return self.filter(status__in=Booking.WAITING_STATES)

    def calls(self):
        """On an expert's calendar: still to be held, held, or missed."""
        return self.filter(status__in=Booking.CALL_STATES)


class Booking(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CONFIRMED = "confirmed", "Confirmed"
        NEEDS_NEW_TIME = "needs_new_time", "Needs a new time"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    # The booking's state groups, defined here only: services, pages, the dashboard and the
    # e-mails ask these (and the properties and queryset methods built on them).
    OPEN_STATES = (Status.QUEUED, Status.CONFIRMED, Status.NEEDS_NEW_TIME, Status.WAITLISTED)
    # Still to be placed: no expert has them (the lead's queue).
    WAITING_STATES = (Status.QUEUED, Status.NEEDS_NEW_TIME, Status.WAITLISTED)
    # A call on an expert's calendar: still to be held, held, or missed.
    CALL_STATES = (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)
    # The customer may pick another time for it from their page.
    MOVABLE_STATES = (Status.CONFIRMED, Status.NEEDS_NEW_TIME)

    token = models.CharField(max_length=64, unique=True, default=new_token)
    # The key of the form page that asked for it (core.forms.SubmissionKeyForm): sent again,
    # the same form finds this booking instead of making a second.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="bookings")
    product = models.ForeignKey(
        "catalogue.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the booking was started from a health-fund answer and the customer let the
    # expert see it: the enquiry's reference and the size asked about (never its contents).
    enquiry_reference = models.CharField(max_length=12, blank=True)
    size = models.CharField(max_length=60, blank=True)
    customer_time_zone = models.CharField(
        max_length=40, choices=AUSTRALIAN_TIME_ZONES, default=DEFAULT_TIME_ZONE
    )
    starts_at = models.DateTimeField(help_text="UTC; the time asked for, then the time confirmed.")
    ends_at = models.DateTimeField()
    expert = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )

    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=20, blank=True)
    # Health information ("a slipped disc"): a Fernet token in the database. The form holds
    # it to 1,000 characters (the token is longer; the column is text).
    description = EncryptedTextField(max_length=1000)
    consent_text = models.TextField()
    consent_version = models.CharField(max_length=20)

    video_url = models.URLField(blank=True)
    sequence = models.PositiveIntegerField(
        default=0, help_text="Calendar SEQUENCE: +1 per reschedule."
    )

    queued_at = models.DateTimeField(help_text="When the booking (re)joined the queue.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    new_time_offer_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_24h_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_1h_sent_at = models.DateTimeField(null=True, blank=True)
    # The last e-mail that could not be sent ("confirmation: ConnectionRefusedError"), shown
    # on the dashboard; emptied when one goes. Never the message or the address.
    last_email_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the customer's details were erased after the retention period.",
    )

    objects = BookingQuerySet.as_manager()

    # What erasure leaves in place of the customer's details: values the fields accept, so
    # the row stays valid (and the admin can still open it) with nothing personal in it.
    ERASED = "(erased)"
    ERASED_DETAILS = {
        "name": ERASED,
        "email": "erased@erased.invalid",  # .invalid: a domain that never receives mail
        "phone": "",
        "description": ERASED,
        "video_url": "",
        "enquiry_reference": "",
    }

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            # The rule that matters most: one expert, one call at a time. Slots sit on each
            # expert's own grid (length + buffer), so two calls that would overlap start at the
            # same instant; PostgreSQL also gets an exclusion constraint on the range.
            models.UniqueConstraint(
                fields=["expert", "starts_at"],
                condition=models.Q(status="confirmed"),
                name="one_confirmed_booking_per_expert_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(expert__isnull=False),
                name="confirmed_booking_has_expert",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="booking_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} {self.starts_at:%Y-%m-%d %H:%M}Z"

    def get_absolute_url(self):
        return reverse("consultations:booking", kwargs={"token": self.token})

    @property
    def is_open(self) -> bool:
        """Still to happen or still to be placed: the customer may cancel or withdraw it."""
        return self.status in self.OPEN_STATES

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING_STATES

    @property
    def is_call(self) -> bool:
        return self.status in self.CALL_STATES

    @property
    def is_movable(self) -> bool:
        return self.status in self.MOVABLE_STATES


class BookingEvent(models.Model):
    """A change made to a booking after it was placed: who, what and when, shown on the
    booking's dashboard page. No actor means the customer, on their own booking page, or
    (for ERASED) the retention task."""

    class Action(models.TextChoices):
        RESCHEDULED = "rescheduled", "Moved"
        REASSIGNED = "reassigned", "Reassigned"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Marked completed"
        NO_SHOW = "no_show", "Marked no-show"
        ERASED = "erased", "Customer's details erased after the retention period"
        RECOMMENDED = "recommended", "Supports recommended"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}Z"


class BookingAccess(models.Model):
    """A staff member saw the customer's details, the health details among them: who, when
    and where (the booking's dashboard page, or the admin).

    Kept apart from BookingEvent on purpose: events are the booking's changes, a short
    history staff read to know what happened to the call (and code relies on one event per
    change); sightings are many (every page load) and are for whoever audits access to health
    information. Bookings are never deleted (erasure keeps the row), so both stay with it."""

    class Where(models.TextChoices):
        DASHBOARD = "dashboard", "Dashboard"
        ADMIN = "admin", "Admin"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="accesses")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    where = models.CharField(max_length=10, choices=Where.choices, default=Where.DASHBOARD)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "booking accesses"

    def __str__(self):
        return f"{self.booking_id} seen by {self.viewer_id} {self.at:%Y-%m-%d %H:%M}Z"

    @classmethod
    def record(cls, booking, *, viewer, where=Where.DASHBOARD) -> "BookingAccess | None":
        """Record that `viewer` is shown the booking's details; nothing once they are erased
        (the page then shows placeholders)."""
        if booking.erased_at is not None:
            return None
        return cls.objects.create(booking=booking, viewer=viewer, where=where)


class Recommendation(models.Model):
    """What the expert recommends after (or during) a call: supports in the sizes they chose,
    and a short note. The customer is e-mailed it, sees it on the call's page and in their
    account, and puts every item in their basket with one button (accounts/views.py), by the
    unguessable `basket_token`, for RECOMMENDATION_DAYS."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="recommendation")
    expert = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A note about the supports; encrypted like everything written about a customer's call.
    note = EncryptedTextField(blank=True)
    basket_token = models.CharField(max_length=64, unique=True, default=new_token)
    # Orders placed after the customer put the recommendation in their basket (the call's
    # effect, for the dashboard and the figures; accounts/receivers.py records them).
    orders = models.ManyToManyField("order.Order", blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"recommendation for booking {self.booking_id}"

    def open_until(self):
        return self.updated_at + timedelta(days=settings.RECOMMENDATION_DAYS)

    def is_open(self) -> bool:
        return clock.now() < self.open_until()


class RecommendedItem(models.Model):
    """One support in the size (and colour) the expert chose: a product variant."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey("catalogue.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.quantity} × {self.product_id}"
