from datetime import datetime

from django import forms
from oscar.core.loading import get_model

from consultations.availability import parse_slot
from consultations.models import AUSTRALIAN_TIME_ZONES, Topic
from core.forms import ContactDetailsForm, SubmissionKeyForm

Product = get_model("catalogue", "Product")

EARLIEST = "earliest"
CONSENT_VERSION = "2026-11-1"
CONSENT_TEXT = (
    "I agree to Bauerfeind Australia using these details to arrange and hold a video call "
    "with one of its product experts, and to emailing me about it."
)


class SlotChoiceField(forms.ChoiceField):
    """A free time as an ISO UTC instant, or "the earliest available"."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", EARLIEST):
            return value
        slot = parse_slot(value)
        if slot is None:
            raise forms.ValidationError("Choose one of the times shown.", code="invalid")
        return slot

    def valid_value(self, value):
        return True  # checked against the free times, which change, in the form's clean()


class BookingForm(SubmissionKeyForm, ContactDetailsForm):
    topic = forms.ModelChoiceField(
        Topic.objects.all(), label="What would you like help with?", empty_label="Choose…"
    )
    product = forms.ModelChoiceField(
        Product.objects.browsable().order_by("title"),
        required=False,
        label="Which support? (optional)",
        empty_label="No particular support",
    )
    time_zone = forms.ChoiceField(choices=AUSTRALIAN_TIME_ZONES, label="Your time zone")
    slot = SlotChoiceField(
        label="Choose a time",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a time, or the earliest available."},
    )
    description = forms.CharField(
        max_length=1000,
        label="Tell us briefly about the problem",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # From a health-fund answer's "book a fitting" link (insurance/emails.py): what the customer
    # asked the fund about, passed to the expert only if they tick `share_enquiry`.
    enquiry_reference = forms.RegexField(
        regex=r"^[A-Z0-9-]{4,12}$", required=False, widget=forms.HiddenInput
    )
    size = forms.CharField(max_length=60, required=False, widget=forms.HiddenInput)
    share_enquiry = forms.BooleanField(
        required=False,
        label="Let the expert see my health-fund enquiry's reference, support and size",
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "Please tick the box to agree, so we can arrange the call."},
    )

    def __init__(self, *args, free_slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.free_slots = list(free_slots)
        self.fields["slot"].choices = [(EARLIEST, "The earliest available")] + [
            (slot.isoformat(), slot.isoformat()) for slot in self.free_slots
        ]

    def clean(self):
        cleaned = super().clean()
        slot = cleaned.get("slot")
        if slot == EARLIEST:
            if not self.free_slots:
                self.add_error(
                    "slot", "There are no free times in the next two weeks. Please call us."
                )
            else:
                cleaned["slot"] = self.free_slots[0]
        elif isinstance(slot, datetime) and slot not in self.free_slots:
            self.add_error("slot", "That time is no longer free. Please choose another time.")
        return cleaned
