from django import template
from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils.html import strip_tags
from oscar.core.loading import get_model
from oscar.templatetags.basket_tags import basket_form
from oscar.templatetags.category_tags import get_annotated_list

from core.jsonld import json_ld_script
from core.pagecache import memo
from shop.sizing import sizing_for

register = template.Library()


ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")


@register.simple_tag(takes_context=True)
def category_tree_current(context, depth=None):
    """Oscar's `category_tree`, built once per process until a category changes: the menu and
    the listings' sidebar show it on every page (two queries each, otherwise)."""
    return memo(context["request"], f"category_tree:{depth}", lambda: get_annotated_list(depth))


@register.simple_tag(takes_context=True)
def product_sizing(context, product, param="waist"):
    """Size guide, the finder's answer for ?waist=... (the path without JavaScript) and the
    variant to preselect, for this customer's prices and stock; None if the product has no
    sizes. Worked out once per page: every block of the product page asks for it."""
    if not hasattr(product, "_sizing"):
        _prefetch_for_page(product)
        product._sizing = sizing_for(product, context["request"], param=param)
    return product._sizing


def _prefetch_for_page(product) -> None:
    """What the page reads several times, fetched once: the images (gallery, structured
    data) and the attribute values with their attributes (the details table, `product.attr`),
    left where Oscar's own `prefetch_attribute_values()` leaves them."""
    if product.is_child:  # a variant's values merge its parent's: Oscar's own lookups do it
        return
    values = ProductAttributeValue.objects.select_related(
        "attribute", "value_option", "value_option__group"
    ).annotate(code=F("attribute__code"))
    prefetch_related_objects(
        [product],
        "images",
        Prefetch("attribute_values", queryset=values, to_attr="_prefetched_attribute_values"),
    )


@register.simple_tag(takes_context=True)
def product_json_ld(context, product, sizing=None):
    """schema.org Product markup so search engines show the price and whether it is in stock."""
    request = context["request"]
    image = product.primary_image()
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.get_title(),
        "sku": product.upc or str(product.pk),
        "url": request.build_absolute_uri(product.get_absolute_url()),
        "brand": {"@type": "Brand", "name": "Bauerfeind"},
        "description": _plain(product.description),
    }
    if not isinstance(image, dict):
        data["image"] = request.build_absolute_uri(image.original.url)
    if sizing is not None:
        data["offers"] = [
            _offer(request, v.product, v.price, v.currency, v.available)
            for v in sizing.guide.variants
        ]
    else:
        info = request.strategy.fetch_for_product(product)
        if info.price.exists:
            data["offers"] = _offer(
                request,
                product,
                info.price.incl_tax,
                info.price.currency,
                info.availability.is_available_to_buy,
            )
    return json_ld_script(data)


def _offer(request, product, price, currency, available):
    return {
        "@type": "Offer",
        "sku": product.upc or str(product.pk),
        "price": f"{price:.2f}",
        "priceCurrency": currency,
        "availability": "https://schema.org/" + ("InStock" if available else "OutOfStock"),
        "url": request.build_absolute_uri(product.get_absolute_url()),
    }


def _plain(html: str) -> str:
    # A space before each tag keeps "</p><p>" from gluing two sentences together.
    return " ".join(strip_tags((html or "").replace("<", " <")).split())


@register.simple_tag(takes_context=True)
def refused_add(context, product):
    """Oscar's add-to-basket form bound to what the customer just posted, when that add was
    refused (Oscar keeps the post in the session for the next page); None otherwise.

    Building Oscar's form for a parent product reads every variant's attributes and stock
    (about 150 queries for the LumboTrain), so it is built only on that rare path; the page
    itself renders its size picker from the size guide."""
    request = context["request"]
    if f"add_to_basket_form_post_data_{product.pk}" not in request.session:
        return None
    return basket_form(request, product, "single")
