from django import template
from django.utils.html import strip_tags
from oscar.templatetags.basket_tags import basket_form

from core.jsonld import json_ld_script
from shop.sizing import sizing_for

register = template.Library()


@register.simple_tag(takes_context=True)
def product_sizing(context, product, param="waist"):
    """Size guide, the finder's answer for ?waist=... (the path without JavaScript) and the
    variant to preselect, for this customer's prices and stock; None if the product has no
    sizes. Worked out once per page: every block of the product page asks for it."""
    if not hasattr(product, "_sizing"):
        product._sizing = sizing_for(product, context["request"], param=param)
    return product._sizing


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
