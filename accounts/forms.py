from django import forms

from core.forms import AccessibleFormMixin


class SignInEmailForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.com."},
    )


class SignInCodeForm(AccessibleFormMixin, forms.Form):
    code = forms.RegexField(
        label="The 6-digit code from the e-mail",
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}"}
        ),
        error_messages={"invalid": "The code is 6 digits, like 123456."},
    )
