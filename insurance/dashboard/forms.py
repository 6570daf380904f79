from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from oscar.core.loading import get_model

from core.forms import AccessibleFormMixin
from insurance.dashboard.access import PERMISSION
from insurance.models import CoverageRule, Enquiry, HealthFund

Product = get_model("catalogue", "Product")


class EnquirySearchForm(forms.Form):
    q = forms.CharField(required=False, label="Reference or email", max_length=254)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Enquiry.Status.choices]
    )
    fund = forms.ModelChoiceField(HealthFund.objects.all(), required=False, empty_label="Any fund")
    # Only products someone asked about, so the list stays short whatever the catalogue's size.
    product = forms.ModelChoiceField(
        Product.objects.filter(pk__in=Enquiry.objects.values("product")).order_by("title"),
        required=False,
        empty_label="Any product",
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, enquiries):
        if not self.is_valid():
            return enquiries
        data = self.cleaned_data
        if data["q"]:
            enquiries = enquiries.filter(
                Q(reference__iexact=data["q"].strip()) | Q(email__iexact=data["q"].strip())
            )
        if data["status"]:
            enquiries = enquiries.filter(status=data["status"])
        if data["fund"]:
            enquiries = enquiries.filter(fund=data["fund"])
        if data["product"]:
            enquiries = enquiries.filter(product=data["product"])
        if data["date_from"]:
            enquiries = enquiries.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            enquiries = enquiries.filter(created_at__date__lte=data["date_to"])
        return enquiries


def officers():
    User = get_user_model()
    app_label, codename = PERMISSION.split(".")
    granted = Q(user_permissions__codename=codename) | Q(groups__permissions__codename=codename)
    return User.objects.filter(
        Q(is_superuser=True) | granted, is_active=True, is_staff=True
    ).distinct()


class EnquiryHandlingForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Enquiry.Status.choices)
    assigned_to = forms.ModelChoiceField(officers(), required=False, empty_label="Nobody yet")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = officers()


class EnquiryAnswerForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Choose…"), *Enquiry.Outcome.choices])
    estimated_rebate = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=2, label="Estimated rebate (AUD)"
    )
    message = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 6}), label="Message to the customer"
    )


class EnquiryNoteForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Internal note",
        help_text="Seen by staff only, never by the customer.",
    )


class CoverageRuleForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = CoverageRule
        fields = [
            "fund",
            "category",
            "claimable",
            "minimum_cover",
            "referral_required",
            "waiting_period_months",
            "rebate_min_percent",
            "rebate_max_percent",
            "annual_limit_aud",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The indicative answer looks a product up by its top-level category (coverage.py).
        self.fields["category"].queryset = self.fields["category"].queryset.filter(depth=1)
        self.fields["category"].help_text = "A top-level category: the rule covers all under it."

    def clean(self):
        data = super().clean()
        low, high = data.get("rebate_min_percent"), data.get("rebate_max_percent")
        if high is not None and high > 100:
            self.add_error("rebate_max_percent", "A rebate is at most 100%.")
        elif low is not None and high is not None and low > high:
            self.add_error("rebate_min_percent", "The lowest rebate cannot be above the highest.")
        return data
