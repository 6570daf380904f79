"""Reads of the catalogue for pages and services: one place that knows what a listing needs."""

from django.urls import reverse
from oscar.core.loading import get_model

from shop.search import matching_product_ids, query_words

Product = get_model("catalogue", "Product")
Range = get_model("offer", "Range")

# Staff choose the home page's featured support by putting it in this Oscar range
# (Dashboard > Offers > Ranges), so no code change is needed to feature another product.
FEATURED_RANGE_SLUG = "featured"


def product_cards(queryset=None):
    """Products ready to render as cards: everything a card shows (images, price and stock,
    a parent's "from" price over its public variants, options) comes in a fixed number of
    queries, whatever the length of the page or the size of the catalogue."""
    if queryset is None:
        queryset = Product.objects.all()
    variants = Product.objects.public().prefetch_related("stockrecords")
    # Oscar's base_queryset annotates has_options and prefetches images and stock records.
    return queryset.browsable().base_queryset().prefetch_public_children(queryset=variants)


def product_listing(*, category=None):
    """The catalogue or one category (with its sub-categories), newest first."""
    products = Product.objects.all()
    if category is not None:
        products = products.filter(categories__in=category.get_descendants_and_self()).distinct()
    return product_cards(products).order_by("-date_created", "-pk")


def product_search(*, query: str):
    """Products matching every word of the query, through the search index (shop/search.py;
    stock Oscar's simple backend counts only the last word and scans every product)."""
    words = query_words(query)
    if not words:
        return Product.objects.none()
    products = Product.objects.filter(pk__in=matching_product_ids(words))
    return product_cards(products).order_by("title", "pk")


def featured_product():
    """The first public product of the "featured" range, or None while there is none."""
    featured = Range.objects.filter(slug=FEATURED_RANGE_SLUG).first()
    if featured is None:
        return None
    return product_cards(featured.all_products()).first()


def order_wearer(order_id: int) -> str:
    """The name the buyer gave at checkout for who will wear it, or "" (then the buyer)."""
    from shop.models import Wearer

    return Wearer.objects.filter(order_id=order_id).values_list("name", flat=True).first() or ""


def order_page(order) -> str:
    """The order's page for its customer: their account's, or the guest's status page (its
    signed link; the e-mail links to it)."""
    if order.user_id:
        return reverse("customer:order", args=[order.number])
    return reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )


def order_shown_to(request, order, hash: str | None = None) -> bool:
    """Whether this visitor may see `order` and what hangs off it (its tax invoice, credit
    notes, returns): its account's holder; or, for a guest's order, whoever has its signed
    link (`hash`) and typed its e-mail address on Oscar's order-status form in this browser
    (kept in the session as `anon_order_email`)."""
    if order.user_id:
        return hash is None and order.user_id == request.user.pk
    typed = (request.session.get("anon_order_email") or "").lower()
    return bool(hash) and order.check_verification_hash(hash) and typed == order.email.lower()
