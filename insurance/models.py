"""Private-health-insurance enquiries: "will my health fund cover this support?".

An enquiry holds health information, which Australian privacy law treats as sensitive: the
details that say something about a person's health (membership number, question, referral,
upload) are encrypted at rest, every staff view and change is written to the audit trail, and
closed enquiries are erased after the retention period (insurance/services.py).
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.encryption import EncryptedTextField
from core.storage import private_storage


class CoverLevel(models.TextChoices):
    BASIC = "basic", "Basic extras"
    MID = "mid", "Mid extras"
    TOP = "top", "Top extras"
    NOT_SURE = "not_sure", "Not sure"


COVER_RANK = {CoverLevel.BASIC: 1, CoverLevel.MID: 2, CoverLevel.TOP: 3}


class HealthFund(models.Model):
    """A private health fund customers can choose; "Other" asks for the fund's name."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_other = models.BooleanField(default=False, help_text="The catch-all 'Other' choice.")
    active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["is_other", "display_order", "name"]

    def __str__(self):
        return self.name


class CoverageRule(models.Model):
    """What a fund usually pays for a category of support: data staff keep up to date."""

    class Claimable(models.TextChoices):
        USUALLY = "usually", "Usually claimable"
        SOMETIMES = "sometimes", "Sometimes claimable"
        NO = "no", "Not usually claimable"

    fund = models.ForeignKey(HealthFund, on_delete=models.CASCADE, related_name="coverage")
    category = models.ForeignKey(
        "catalogue.Category", on_delete=models.CASCADE, related_name="coverage_rules"
    )
    claimable = models.CharField(max_length=10, choices=Claimable.choices)
    minimum_cover = models.CharField(
        max_length=10,
        choices=[c for c in CoverLevel.choices if c[0] != CoverLevel.NOT_SURE],
        default=CoverLevel.MID,
        help_text="The lowest level of extras cover that usually includes it.",
    )
    referral_required = models.BooleanField(default=True)
    waiting_period_months = models.PositiveSmallIntegerField(default=12)
    rebate_min_percent = models.PositiveSmallIntegerField(default=0)
    rebate_max_percent = models.PositiveSmallIntegerField(default=0)
    annual_limit_aud = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Shown to the customer with the answer.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fund", "category"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "category"], name="one_rule_per_fund_category"),
            models.CheckConstraint(
                condition=models.Q(rebate_min_percent__lte=models.F("rebate_max_percent"))
                & models.Q(rebate_max_percent__lte=100),
                name="rebate_range_is_a_percentage_range",
            ),
        ]

    def __str__(self):
        return f"{self.fund} / {self.category}"


def new_reference() -> str:
    """Like PHI-7KQ2MX: 6 characters from 31 (no 0/O, 1/I/L), about 887 million values,
    random, so a reference says nothing about how many enquiries there are."""
    return "PHI-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class EnquiryQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Enquiry.Status.CLOSED)


class Enquiry(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    class Referral(models.TextChoices):
        GP = "gp", "GP"
        PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
        PODIATRIST = "podiatrist", "Podiatrist"
        CHIROPRACTOR = "chiropractor", "Chiropractor"
        OTHER = "other", "Other health professional"
        NONE_YET = "none", "No referral yet"

    class Contact(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    class Outcome(models.TextChoices):
        COVERED = "covered", "Covered"
        PARTLY = "partly", "Partly covered"
        NOT_COVERED = "not_covered", "Not covered"

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    # The key of the form page that sent it (core.forms.SubmissionKeyForm): sent again, the
    # same form finds this enquiry instead of making a second.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    # Who they are (needed to answer them)
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=3)
    postcode = models.CharField(max_length=4)
    contact_preference = models.CharField(
        max_length=5, choices=Contact.choices, default=Contact.EMAIL
    )

    # Their cover
    fund = models.ForeignKey(HealthFund, on_delete=models.PROTECT, related_name="enquiries")
    fund_other_name = models.CharField(max_length=100, blank=True)
    membership_number = EncryptedTextField(blank=True)
    cover_level = models.CharField(max_length=10, choices=CoverLevel.choices)

    # What they ask about (health information: encrypted)
    product = models.ForeignKey(
        "catalogue.Product", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    size = models.CharField(max_length=60, blank=True)
    referral = models.CharField(max_length=16, choices=Referral.choices)
    referral_details = EncryptedTextField(blank=True)
    question = EncryptedTextField()
    upload = models.FileField(
        upload_to="enquiries/%Y/%m/", storage=private_storage, blank=True, max_length=200
    )
    upload_content_type = models.CharField(max_length=40, blank=True)
    upload_name = EncryptedTextField(blank=True)

    # Consent, exactly as shown
    consent_text = models.TextField()
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()

    # The indicative answer the customer saw (no health details in it)
    indicative_answer = models.JSONField(default=dict)

    # The staff answer
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    estimated_rebate_aud = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True
    )
    answer_message = EncryptedTextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    # What the worker has done, so a retry never sends twice
    acknowledgement_sent_at = models.DateTimeField(null=True, blank=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True)
    answer_sent_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "enquiries"
        permissions = [("handle_enquiry", "Can see, answer and export health-fund enquiries")]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("insurance:enquiry-sent", kwargs={"reference": self.reference})

    @property
    def fund_display(self) -> str:
        return (
            self.fund_other_name if self.fund.is_other and self.fund_other_name else self.fund.name
        )


class EnquiryNote(models.Model):
    """Staff's internal note on an enquiry: never shown to the customer; encrypted, since
    officers write about the customer's health; erased with the enquiry."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note on {self.enquiry_id} by {self.author_id}"


class AuditEntry(models.Model):
    """Who saw or changed which enquiry, and when. Keeps the reference, not the enquiry, so
    the trail outlives the erasure of the enquiry itself; never holds health details."""

    class Action(models.TextChoices):
        CREATED = "created", "Submitted by the customer"
        VIEWED = "viewed", "Viewed"
        CHANGED = "changed", "Changed"
        ANSWERED = "answered", "Answered"
        NOTE_ADDED = "note_added", "Internal note added"
        EXPORTED = "exported", "Exported"
        UPLOAD_VIEWED = "upload_viewed", "Upload viewed"
        EMAILED = "emailed", "E-mail sent"
        ERASED = "erased", "Erased after the retention period"

    reference = models.CharField(max_length=12, db_index=True)
    enquiry = models.ForeignKey(
        Enquiry, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.reference} {self.action} {self.at:%Y-%m-%d %H:%M}"
