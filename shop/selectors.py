"""Reads of the catalogue for pages and services: one place that knows what a listing needs,
and what each thing the shop sells costs and whether it is in stock."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.urls import reverse
from oscar.core.loading import get_model

from shop.search import matching_product_ids, query_words

Product = get_model("catalogue", "Product")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
ProductReview = get_model("reviews", "ProductReview")
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


@dataclass(frozen=True)
class ProductOffer:
    """One thing a customer can put in the basket: a size and colour of a product with
    variants, or a product without any, priced and stocked by the shop's strategy (AUD, GST
    included, stock required). The product page, its size guide, its schema.org data and the
    merchant feed all read these, so none of them can disagree about a price or stock."""

    product: object  # the variant, or the product without variants itself
    group: object | None  # a variant's parent
    sku: str
    attributes: dict  # the product's own attribute values by code (a variant's size, colour)
    price: Decimal  # what the customer pays, GST included
    currency: str
    num_available: int | None
    available: bool
    image: object | None  # its own first picture, else its parent's (Oscar's primary_image)

    @property
    def size(self) -> str:
        return str(self.attributes.get("size") or "")

    @property
    def colour(self) -> str:
        return str(self.attributes.get("colour") or "")

    @property
    def title(self) -> str:
        """Its title; a variant's names its size and colour (its own title may, or it has its
        parent's), as shopping engines ask."""
        title = self.product.get_title()
        if self.group is None:
            return title
        for part in (f"size {self.size}" if self.size else "", self.colour):
            if part and part.lower() not in title.lower():
                title += f", {part}"
        return title

    @property
    def description(self) -> str:
        """Its description (HTML), or its parent's: variants rarely have their own."""
        own = self.product.description
        return own or (self.group.description if self.group is not None else "") or ""


def product_offers(product, strategy) -> list[ProductOffer]:
    """What can be bought from a product's page: each public variant of a product with
    variants, or the product itself; none while it has no price. A fixed number of queries
    however many variants it has."""
    if product.is_parent:
        variants = product.children.public().order_by("pk")
        return _offers(variants.prefetch_related(*_offer_data()), strategy)
    # The product page may have read some of it already (shop_tags._prefetch_for_page).
    prefetched = hasattr(product, "_prefetched_attribute_values")
    prefetch_related_objects([product], *_offer_data(attribute_values=not prefetched))
    return _offers([product], strategy)


def catalogue_offers(strategy) -> list[ProductOffer]:
    """Everything the shop sells (public products without variants and the public variants of
    public parents), grouped by product: for the merchant feed, in six queries whatever the
    size of the catalogue."""
    products = (
        Product.objects.public()
        .filter(
            Q(structure=Product.STANDALONE) | Q(structure=Product.CHILD, parent__is_public=True)
        )
        .select_related("product_class", "parent__product_class")
        .prefetch_related("parent__images")
        .order_by(Coalesce("parent_id", "id"), "id")
    )
    return _offers(products.prefetch_related(*_offer_data()), strategy)


def _offer_data(*, attribute_values=True) -> list:
    """What an offer reads of its product, to prefetch: price and stock, pictures, attributes."""
    lookups = ["stockrecords", "images"]
    if attribute_values:
        values = ProductAttributeValue.objects.select_related("attribute", "value_option")
        lookups.append(Prefetch("attribute_values", queryset=values))
    return lookups


def _offers(products, strategy) -> list[ProductOffer]:
    offers = []
    for product in products:
        info = strategy.fetch_for_product(product)
        if not info.price.exists:
            continue
        offers.append(
            ProductOffer(
                product=product,
                group=product.parent if product.is_child else None,
                sku=info.stockrecord.partner_sku or product.upc or str(product.pk),
                attributes=_attribute_values(product),
                price=info.price.incl_tax,
                currency=info.price.currency,
                num_available=info.stockrecord.net_stock_level,
                available=info.availability.is_available_to_buy,
                image=product_picture(product),
            )
        )
    return offers


def product_picture(product):
    """Its first picture (Oscar's primary_image: a variant without its own has its parent's),
    or None when it has none with a file."""
    image = product.primary_image()
    return None if isinstance(image, dict) or not image.original else image  # dict: "no image"


def verified_rating(product) -> tuple[Decimal, int] | None:
    """The average score (1 to 5, to one decimal) and the number of a product's approved
    reviews from buyers (shop/reviews.py: each has its order), or None while there are none.
    Reviews are of a product with sizes as a whole, not of one size."""
    if product.rating is None:  # Oscar's own average of approved reviews: none approved yet
        return None
    reviews = ProductReview.objects.filter(
        product=product, status=ProductReview.APPROVED, verification__isnull=False
    ).aggregate(average=Avg("score"), count=Count("pk"))
    if not reviews["count"]:
        return None
    return Decimal(reviews["average"]).quantize(Decimal("0.1")), reviews["count"]


def _attribute_values(product) -> dict:
    # The product page has them already, where Oscar's own prefetch leaves them.
    values = getattr(product, "_prefetched_attribute_values", None)
    if values is None:
        values = product.attribute_values.all()
    return {value.attribute.code: value.value for value in values}
