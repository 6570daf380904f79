from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")

QUANTITY_ERRORS = {
    "required": _("Enter a quantity."),
    "invalid": _("Enter the quantity as a whole number, for example 2."),
    "min_value": _("Enter a quantity of 1 or more."),
}
VARIANT_ERRORS = {
    "required": _("Choose a size and colour from the list."),
    "invalid_choice": _("Choose a size and colour from the list."),
}


class AddToBasketForm(forms.AddToBasketForm):
    """Oscar's form, with errors a customer can act on wherever they are shown.

    A refused add also shows its errors as one flash message above the product page, where
    Django's "This field is required." or "Ensure this value is greater than or equal to 1."
    would not say which field is meant.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].error_messages.update(QUANTITY_ERRORS)
        if "child_id" in self.fields:
            self.fields["child_id"].error_messages.update(VARIANT_ERRORS)

    def _create_parent_product_fields(self, product):
        """Oscar's variant choice, with the variants' attribute values and stock records
        fetched in a few queries: Oscar's loop asks for each variant's (about ten queries per
        variant, 165 to add a LumboTrain to the basket)."""
        if not hasattr(product, "_prefetched_public_children"):
            children = Product.objects.filter(parent=product).public()
            children = children.prefetch_attribute_values().prefetch_related("stockrecords")
            product._prefetched_public_children = list(children)
        super()._create_parent_product_fields(product)

    def cleaned_options(self):
        """Oscar's, without the query for the options of a product that has none (known from
        the product's `has_options`, which the add view's query annotates)."""
        if not self.parent_product.has_options:
            return []
        return super().cleaned_options()

    def clean(self):
        """Skip Oscar's price and stock checks when no valid variant was chosen.

        Oscar then checks the parent product, which has no price of its own, so a customer who
        sent no size was also told "a price could not be determined".
        """
        if self.product.is_parent:
            return self.cleaned_data
        return super().clean()


class SimpleAddToBasketForm(forms.SimpleAddToBasketMixin, AddToBasketForm):
    """The product page's form (Oscar's `basket_form` tag), rebuilt on our AddToBasketForm as
    Oscar's docstring asks, so the errors it shows next to the fields are the same."""


class BasketLineForm(forms.BasketLineForm):
    def clean_quantity(self):
        """Check the line's own stock before Oscar's basket-wide limits.

        Oscar checks the basket-wide limits first, and for a quantity just above the stock they
        answered "Available stock is only 18, which has been exceeded because multiple lines
        contain the same product." even when the basket holds one line. The stock check names
        what can be bought ("a maximum of 18 can be bought"); Oscar's checks still follow.
        """
        quantity = self.cleaned_data["quantity"]
        if quantity:
            self.check_permission(quantity)
        return super().clean_quantity()
