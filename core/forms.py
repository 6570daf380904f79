from django import forms


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
        for position, name in enumerate(n for n in self.fields if n in self.errors):
            attrs = self.fields[name].widget.attrs
            attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}_error"})
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            if position == 0:
                attrs["autofocus"] = True
