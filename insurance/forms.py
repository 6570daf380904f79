from django import forms
from oscar.core.loading import get_model

from core.australia import STATE_CHOICES, PostcodeInStateMixin
from core.forms import ContactDetailsForm, SubmissionKeyForm
from insurance.models import CoverLevel, Enquiry, HealthFund
from insurance.privacy import CONSENT_TEXT
from insurance.uploads import check_upload

Product = get_model("catalogue", "Product")


class EnquiryForm(PostcodeInStateMixin, SubmissionKeyForm, ContactDetailsForm):
    """Will my health fund cover this support? Only what staff need to answer it."""

    state = forms.ChoiceField(choices=[("", "Choose…"), *STATE_CHOICES], label="State or territory")
    postcode = forms.CharField(
        max_length=4,
        label="Postcode",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    fund = forms.ModelChoiceField(
        queryset=HealthFund.objects.filter(active=True),
        label="Your health fund",
        empty_label="Choose…",
    )
    fund_other_name = forms.CharField(max_length=100, required=False, label="Fund name (if Other)")
    membership_number = forms.CharField(
        max_length=30, required=False, label="Membership number (optional)"
    )
    cover_level = forms.ChoiceField(
        choices=[("", "Choose…"), *CoverLevel.choices], label="Level of extras cover"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.browsable().order_by("title"),
        label="Which support?",
        empty_label="Choose…",
    )
    size = forms.CharField(max_length=60, required=False, label="Size, if you know it")
    referral = forms.ChoiceField(
        choices=[("", "Choose…"), *Enquiry.Referral.choices],
        label="Do you have a referral from a health professional?",
    )
    referral_details = forms.CharField(
        max_length=500,
        required=False,
        label="Referral details (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    upload = forms.FileField(
        required=False,
        label="Referral or quote (optional): PDF, JPEG or PNG, up to 5 MB",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    question = forms.CharField(
        max_length=2000, label="Your question", widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_preference = forms.ChoiceField(
        choices=Enquiry.Contact.choices,
        initial=Enquiry.Contact.EMAIL,
        widget=forms.RadioSelect,
        label="How should we contact you?",
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={
            "required": "Please tick the box to agree, so we can answer your question."
        },
    )
    # A field people never see (hidden by CSS) and bots fill in.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        return check_upload(upload)

    def clean(self):
        cleaned = super().clean()
        fund = cleaned.get("fund")
        if fund and fund.is_other and not cleaned.get("fund_other_name", "").strip():
            self.add_error("fund_other_name", "Tell us the name of your fund.")
        wants_call = cleaned.get("contact_preference") == Enquiry.Contact.PHONE
        if wants_call and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error(
                "phone", "Add a phone number, or choose email as the way to contact you."
            )
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def enquiry_data(self) -> dict:
        """The fields the enquiry stores (not the consent box, the honeypot or the upload)."""
        skip = {"consent", "website", "upload", "submission_key"}
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        if not data["fund"].is_other:
            data["fund_other_name"] = ""
        return data
