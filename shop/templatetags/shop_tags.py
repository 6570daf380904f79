from django import template
from django.db.models import F, Prefetch, prefetch_related_objects
from oscar.core.loading import get_model
from oscar.templatetags.basket_tags import basket_form
from oscar.templatetags.category_tags import get_annotated_list

from core.jsonld import json_ld_script
from core.pagecache import memo
from shop import structured_data
from shop.selectors import product_offers, verified_rating
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
        offers = _page_offers(context, product)
        product._sizing = sizing_for(product, offers, context["request"], param=param)
    return product._sizing


def _page_offers(context, product):
    """What the page sells (shop.selectors.product_offers), read once for the size guide and
    the structured data."""
    if not hasattr(product, "_offers"):
        _prefetch_for_page(product)
        product._offers = product_offers(product, context["request"].strategy)
    return product._offers


def _prefetch_for_page(product) -> None:
    """What the page reads several times, fetched once: the images (gallery, structured
    data), a product's own stock records (its price and stock, which several of Oscar's blocks
    ask for) and the attribute values with their attributes (the details table,
    `product.attr`), left where Oscar's own `prefetch_attribute_values()` leaves them."""
    if product.is_child:  # a variant's values merge its parent's: Oscar's own lookups do it
        return
    values = ProductAttributeValue.objects.select_related(
        "attribute", "value_option", "value_option__group"
    ).annotate(code=F("attribute__code"))
    lookups = ["images", "stockrecords"] if not product.is_parent else ["images"]
    prefetch_related_objects(
        [product],
        *lookups,
        Prefetch("attribute_values", queryset=values, to_attr="_prefetched_attribute_values"),
    )


@register.simple_tag(takes_context=True)
def product_json_ld(context, product):
    """schema.org markup of the product page (shop/structured_data.py): search engines show
    its price, stock, delivery and returns, its sizes and colours as variants, and the
    rating buyers gave it."""
    offers = _page_offers(context, product)
    absolute = context["request"].build_absolute_uri
    rating = verified_rating(product)
    return json_ld_script(structured_data.product_json_ld(product, offers, absolute, rating))


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
