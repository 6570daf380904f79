from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import views
from oscar.core import ajax
from oscar.core.loading import get_class, get_model
from oscar.core.utils import is_ajax

ProductDetailView = get_class("catalogue.views", "ProductDetailView")
Option = get_model("catalogue", "Option")
Product = get_model("catalogue", "Product")


def _products_to_add():
    """Products with the annotations Oscar's `has_options` reads (as its `base_queryset` has
    them) and the stock records the strategy picks from."""
    return (
        Product.objects.select_related("product_class", "parent__product_class")
        .annotate(
            has_product_class_options=Exists(
                Option.objects.filter(productclass=OuterRef("product_class"))
            ),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("stockrecords")
    )


class BasketView(views.BasketView):
    """Oscar's basket page, answering 400 to a post it refuses.

    Oscar re-renders a refused update with 200, and a post whose forms do not match the basket's
    lines (see formsets.BasketLineFormSet) it applied in part or answered 500.
    """

    lines_mismatch_message = _(
        "Your basket was not updated because the form did not match the items in it. "
        "Please check the quantities below and try again."
    )

    def formset_invalid(self, formset):
        if formset.non_form_errors():
            return self.lines_mismatch(formset)
        response = super().formset_invalid(formset)
        # Oscar's page with the errors next to the typed values. Its redirect (only deletions
        # were wrong) and the JSON for the page's script, which only reads 2xx, stay as they are.
        if isinstance(response, TemplateResponse):
            response.status_code = 400
        return response

    def lines_mismatch(self, formset):
        """Show the basket as it is: the posted forms cannot be matched to its lines, so neither
        their values nor their management data can be rendered back.

        Validating the forms already set the typed quantities on the basket's cached lines, which
        the totals are computed from; only the quantity is reloaded, as Oscar's offers keep their
        discounts on those same line objects.
        """
        basket = self.request.basket
        for line in basket.all_lines():
            line.refresh_from_db(fields=["quantity"])
        kwargs = self.get_formset_kwargs()
        del kwargs["data"], kwargs["files"]
        context = self.get_context_data(formset=self.get_formset()(**kwargs), basket=basket)
        flash_messages = ajax.FlashMessages()
        flash_messages.error(self.lines_mismatch_message)
        if is_ajax(self.request):
            return self.json_response(context, flash_messages)
        flash_messages.apply_to_request(self.request)
        return self.render_to_response(context, status=400)


class BasketAddView(views.BasketAddView):
    """Oscar's add-to-basket, answering a refused add with the product page itself and 400.

    Oscar redirects back with a flash message (302), so the refusal looked like success to
    anything but a person reading the page. Oscar's form_invalid still adds that message and
    keeps the post in the session, where the product page's `basket_form` tag binds it: the
    errors appear next to the fields with what the customer typed.

    The product comes with what the form and the basket ask of it (its class, whether it has
    options, its stock records) in two queries instead of six.
    """

    def post(self, request, *args, **kwargs):
        self.product = get_object_or_404(_products_to_add(), pk=kwargs["pk"])
        return super(views.BasketAddView, self).post(request, *args, **kwargs)  # FormView's

    def form_invalid(self, form):
        super().form_invalid(form)
        # At the add URL: with enforce_paths Oscar would redirect to the product's own URL.
        page = ProductDetailView(enforce_paths=False)
        page.setup(self.request, pk=self.product.pk, product_slug=self.product.slug)
        response = page.get(self.request)
        response.status_code = 400
        return response
