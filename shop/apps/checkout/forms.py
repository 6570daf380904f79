"""Checkout forms for Australian customers."""

from django import forms
from oscar.apps.checkout import forms as oscar_forms

from core.australia import STATE_CHOICES, PostcodeInStateMixin, normalise_au_phone
from core.forms import AccessibleFormMixin
from shop.payment import payment_methods


class ShippingAddressForm(
    AccessibleFormMixin, PostcodeInStateMixin, oscar_forms.ShippingAddressForm
):
    """Oscar's address form with an Australian shape: a state chosen from the eight, a
    postcode that must belong to it, and a phone number the courier can call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phone = self.fields["phone_number"]
        phone.required = True
        phone.help_text = "An Australian number, for the courier in case they need to reach you."
        self.fields.pop("line3", None)
        self.fields["line1"].label = "Street address"
        self.fields["line2"].label = "Apartment, unit, building (optional)"
        self.fields["line4"].label = "Suburb or town"
        self.fields["state"] = forms.ChoiceField(
            label="State or territory", choices=[("", "Choose…"), *STATE_CHOICES]
        )
        self.fields["postcode"].label = "Postcode"  # Oscar's "Post/Zip-code" is not Australian
        self.fields["postcode"].widget.attrs.update(inputmode="numeric", maxlength=4)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("autocomplete", AUTOCOMPLETE.get(name, "on"))

    # Not part of the address: kept in the checkout session, then with the order (shop.Wearer).
    wearer_name = forms.CharField(
        max_length=120,
        required=False,
        label="Who will wear it? (optional)",
        help_text="For your health-fund receipt: the person whose fund you will claim from. "
        "Leave it empty if that is you.",
    )

    def clean_phone_number(self):
        return normalise_au_phone(self.cleaned_data["phone_number"])


AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "line1": "address-line1",
    "line2": "address-line2",
    "line4": "address-level2",
    "state": "address-level1",
    "postcode": "postal-code",
    "phone_number": "tel",
    "notes": "off",
    "wearer_name": "off",
}


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(label="How would you like to pay?", widget=forms.RadioSelect)

    def __init__(self, *args, total=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m.code, m.label) for m in payment_methods(total)]
        if len(self.fields["method"].choices) == 1:
            self.fields["method"].initial = self.fields["method"].choices[0][0]
