from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from oscar.core.loading import get_model

from consultations.availability import parse_slot
from consultations.models import Expert, WeeklyAvailability
from core.forms import AccessibleFormMixin
from core.timelabels import time_label


class PeriodForm(AccessibleFormMixin, forms.Form):
    """Which stretch of an expert's calendar to show (both optional: this week by default)."""

    date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    view = forms.ChoiceField(
        required=False, choices=[("week", "Week"), ("day", "Day")], label="Show"
    )


def _by_day(slots: list[datetime], zones: list[str]) -> list:
    """Grouped choices: one group a day of the first zone, each time in every zone given
    ("9:00 AM Sydney / 8:00 AM Brisbane")."""
    days = defaultdict(list)
    for slot in slots:
        times = " / ".join(
            f"{time_label(slot, zone, 'time')} {zone.split('/')[-1]}" for zone in zones
        )
        day = slot.astimezone(ZoneInfo(zones[0]))
        days[f"{day:%a} {day.day} {day:%b}"].append((slot.isoformat(), times))
    return list(days.items())


class RescheduleForm(AccessibleFormMixin, forms.Form):
    slot = forms.ChoiceField(
        label="New time",
        error_messages={
            "required": "Choose one of the free times.",
            "invalid_choice": "That time is not among the free times any more: choose another.",
        },
    )

    def __init__(self, *args, booking, free_times, **kwargs):
        super().__init__(*args, **kwargs)
        # The expert's time first, then the customer's when they live in another zone.
        expert_zone = booking.expert.time_zone if booking.expert else None
        zones = list(dict.fromkeys(z for z in (expert_zone, booking.customer_time_zone) if z))
        self.fields["slot"].choices = [("", "Choose…"), *_by_day(free_times, zones)]
        if booking.expert:
            self.fields["slot"].help_text = f"The free times of {booking.expert}."

    def clean_slot(self):
        slot = parse_slot(self.cleaned_data["slot"])
        if slot is None:
            raise forms.ValidationError("Choose one of the times shown.", code="invalid")
        return slot


class ReassignForm(AccessibleFormMixin, forms.Form):
    expert = forms.ModelChoiceField(
        Expert.objects.none(), label="Give the call to", empty_label="Choose an expert…"
    )

    def __init__(self, *args, booking, free_expert_ids, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["expert"]
        field.queryset = Expert.objects.filter(active=True, topics=booking.topic).exclude(
            pk=booking.expert_id
        )
        field.label_from_instance = lambda expert: (
            expert.display_name
            if expert.pk in free_expert_ids
            else f"{expert.display_name} (not free then)"
        )


class WeeklyHoursForm(AccessibleFormMixin, forms.Form):
    """One window of weekly hours, in the expert's own zone, checked against their others."""

    weekday = forms.TypedChoiceField(
        choices=WeeklyAvailability.Weekday.choices, coerce=int, label="Day"
    )
    start_time = forms.TimeField(
        label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="To", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.others = others

    def clean(self):
        cleaned = super().clean()
        weekday, start, end = (cleaned.get(f) for f in ("weekday", "start_time", "end_time"))
        if start is None or end is None:
            return cleaned
        if end <= start:
            self.add_error("end_time", "The end must be after the start.")
            return cleaned
        for other in self.others:
            if other.weekday == weekday and other.start_time < end and start < other.end_time:
                self.add_error(
                    "start_time",
                    f"Overlaps the hours {other.start_time:%H:%M}–{other.end_time:%H:%M} on "
                    f"{other.get_weekday_display()}: change those instead.",
                )
                break
        return cleaned


class TimeOffForm(AccessibleFormMixin, forms.Form):
    """Read in the current time zone: the view makes it the expert's."""

    starts_at = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(max_length=100, required=False, label="Reason (optional)")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The end must be after the start.")
        return cleaned


class VariantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_title()


class RecommendationForm(AccessibleFormMixin, forms.Form):
    """Up to ROWS supports in the size (and colour) the expert chose, and a note."""

    ROWS = 3
    note = forms.CharField(
        label="Note for the customer (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="About the supports and how to wear them. The customer reads it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        variants = (
            get_model("catalogue", "Product")
            .objects.filter(structure="child", is_public=True)
            .select_related("parent")
            .order_by("parent__title", "title", "pk")
        )
        for n in range(1, self.ROWS + 1):
            self.fields[f"product_{n}"] = VariantChoiceField(
                variants, label=f"Support {n}", required=n == 1, empty_label="Choose a size…"
            )
            self.fields[f"quantity_{n}"] = forms.IntegerField(
                label=f"How many (support {n})",
                min_value=1,
                max_value=5,
                initial=1,
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        cleaned["items"] = [
            (cleaned[f"product_{n}"].pk, cleaned.get(f"quantity_{n}") or 1)
            for n in range(1, self.ROWS + 1)
            if cleaned.get(f"product_{n}")
        ]
        return cleaned
