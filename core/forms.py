import uuid

from django import forms

from core.australia import normalise_au_phone


class AccessibleFormMixin:
    """Bootstrap classes on every widget and, once validated, each invalid field marked
    aria-invalid and tied to its error message (aria-describedby), with the first one focused
    when the page loads: screen readers announce what is wrong, next to where it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(widget, forms.RadioSelect | forms.ClearableFileInput):
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        """Also for errors a view adds after validation (a sign-in code that is not right)."""
        super().add_error(field, error)
        self._mark_invalid()

    def _mark_invalid(self):
        for position, name in enumerate(n for n in self.fields if n in self.errors):
            attrs = self.fields[name].widget.attrs
            attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}_error"})
            if "is-invalid" not in attrs.get("class", "").split():
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs.pop("autofocus", None)
            if position == 0:
                attrs["autofocus"] = True


class ContactDetailsForm(AccessibleFormMixin, forms.Form):
    """Who a customer is and how to reach them: the same fields and rules on every form."""

    name = forms.CharField(
        max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        max_length=254, label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        max_length=20,
        required=False,
        label="Phone (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalise_au_phone(phone) if phone else ""


class SubmissionKeyForm(forms.Form):
    """A form that makes a record, sent once however often it is sent.

    Each page carries a fresh random key; the service that saves the record saves the key with
    it (a unique column) and, given a key it has seen, returns the record already made instead
    of making another: a double click, a POST resent after a timeout or two identical POSTs at
    the same moment make one record and one set of e-mails. A form posted without a key (an
    old page, a script) is saved as new, as before."""

    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_submission_key(self) -> uuid.UUID:
        try:  # a tampered key is nobody's record: treat the form as new
            return uuid.UUID(self.cleaned_data["submission_key"][:36])
        except ValueError:
            return uuid.uuid4()
