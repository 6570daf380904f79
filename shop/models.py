from django.conf import settings
from django.db import models

from core import clock


class ProductSearchDocument(models.Model):
    """The words a product is found by (title, UPC, description, categories, and its
    variants'), one row per browsable product, kept current by shop/receivers.py. The search
    index is built over it: PostgreSQL's full-text GIN index, or SQLite's FTS5 table (the
    migration 0002 makes whichever fits the database)."""

    product = models.OneToOneField(
        "catalogue.Product", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    text = models.TextField()

    def __str__(self):
        return f"Search document of product {self.product_id}"


class Wearer(models.Model):
    """Who will wear what an order bought, when the buyer named someone else at checkout: the
    health-fund part of the receipt names them (receipts/), as the fund pays its member."""

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)

    def __str__(self):
        return f"Wearer for order {self.order_id}"


class ReturnRequest(models.Model):
    """A customer's request to exchange a line of an order for another size or colour of the
    same product, or to return it (shop/returns.py says how one moves). An exchange holds the
    new size's stock from the moment it is asked for (`replacement`'s allocation), so it
    cannot be sold to someone else while the parcel is on its way back."""

    class Kind(models.TextChoices):
        EXCHANGE = "exchange", "Exchange for another size or colour"
        RETURN = "return", "Return for a refund"

    class Reason(models.TextChoices):
        TOO_SMALL = "too-small", "Too small"
        TOO_LARGE = "too-large", "Too large"
        CHANGED_MIND = "changed-mind", "Changed my mind"
        FAULTY = "faulty", "Faulty"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        RECEIVED = "received", "Item received"
        REFUNDED = "refunded", "Refunded"
        EXCHANGED = "exchanged", "Exchanged"
        REJECTED = "rejected", "Rejected"

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("order.Line", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    # An exchange: the size or colour sent instead, its stock held (num_allocated) until sent.
    replacement = models.ForeignKey(
        "partner.StockRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} of order {self.order.number}, line {self.line_id}"

    @property
    def reference(self) -> str:
        return f"R{self.pk:05d}"


class ReturnStep(models.Model):
    """One step of a return (asked, approved, item received, refunded or exchanged,
    rejected): who took it and when, the audit trail staff read, and the e-mail it owes the
    customer (sent once, through the outbox: shop/emails.py)."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=10, choices=ReturnRequest.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)  # a rejection's reason, a note
    at = models.DateTimeField(default=clock.now)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request.reference}: {self.get_status_display()}"


class StockAlert(models.Model):
    """ "E-mail me when it's back" for one size or colour (a stock record), for one address:
    nothing is sent until the address confirms by link (double opt-in); then, when units come
    back, the worker e-mails waiters in the order they asked, up to the units that came back
    (shop/alerts.py). Every message carries the unsubscribe link; an alert lasts
    STOCK_ALERT_DAYS."""

    stockrecord = models.ForeignKey(
        "partner.StockRecord", on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(max_length=254)  # stored lower-case: one alert per address
    token = models.CharField(max_length=43, unique=True)  # confirm and unsubscribe links
    created_at = models.DateTimeField(default=clock.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # its unit came back: e-mail owed
    notified_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stockrecord", "email"], name="one_alert_per_address")
        ]
        indexes = [models.Index(fields=["stockrecord", "confirmed_at", "due_at"])]

    def __str__(self):
        return f"Stock alert {self.pk} for stock record {self.stockrecord_id}"


class StockAlertRound(models.Model):
    """How many waiters of a size have been told of the units now back: reset when it sells
    out, so the next restock tells the next waiters (shop/alerts.py)."""

    stockrecord = models.OneToOneField(
        "partner.StockRecord", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    notified = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Stock alert round of stock record {self.stockrecord_id}: {self.notified}"


class ReviewInvite(models.Model):
    """ "How is your support?": one e-mail per delivered order, REVIEW_INVITE_DAYS after
    delivery (through the outbox), whose one-time link lets the buyer review what they bought
    (shop/reviews.py); unsubscribing stops it."""

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=43, unique=True)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"Review invite for order {self.order_id}"


class ReviewVerification(models.Model):
    """What makes a review mean something: the order it was bought in (so "Verified purchase"),
    and how the size fitted, which the product page sums up beside the size finder."""

    class Fit(models.TextChoices):
        SMALL = "small", "Runs small"
        TRUE = "true", "True to size"
        LARGE = "large", "Runs large"

    review = models.OneToOneField(
        "reviews.ProductReview", on_delete=models.CASCADE, related_name="verification"
    )
    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="+")
    fit = models.CharField(max_length=5, choices=Fit.choices)

    def __str__(self):
        return f"Review {self.review_id}, bought in order {self.order_id}"
