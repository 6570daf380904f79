"""What search engines and shopping feeds are told about a product: the schema.org JSON-LD of
the product pages, and the facts the merchant feed (shop/feeds.py) says the same way.

Both read the same `ProductOffer`s (shop/selectors.py) for a variant's price and stock, the
delivery methods' own charges (shop/apps/shipping/methods.py: Standard is free from
SHIPPING_FREE_THRESHOLD) and RETURNS_WINDOW_DAYS, so the page, its markup and the feed cannot
disagree.

The schema.org terms used, each checked against the vocabulary (schema.org) and Google's
"Product variant structured data" and merchant listing documentation:

- ProductGroup (a subtype of Product): name, description, url, image, brand, productGroupID,
  variesBy (full property URLs, as Google asks: https://schema.org/size and /color),
  hasVariant. A product with sizes is one ProductGroup; each size and colour is a Product.
- Product: name, description, url, image, brand, sku, gtin or mpn, size, color, offers;
  a variant's own page adds inProductGroupWithID and isVariantOf (its ProductGroup).
- Brand: name.
- Offer: url, price (text, two decimals), priceCurrency, availability (InStock, OutOfStock),
  itemCondition (NewCondition), shippingDetails, hasMerchantReturnPolicy.
- OfferShippingDetails (one per delivery method): name, shippingRate (MonetaryAmount: value,
  currency; what one of this item costs to deliver, so 0 where Standard is free),
  shippingDestination (DefinedRegion: addressCountry), deliveryTime (ShippingDeliveryTime:
  transitTime, a QuantitativeValue with minValue, maxValue and unitCode DAY).
- MerchantReturnPolicy: applicableCountry, merchantReturnLink, returnPolicyCategory
  (MerchantReturnFiniteReturnWindow, or MerchantReturnNotPermitted with no window),
  merchantReturnDays, returnMethod (ReturnByMail), customerRemorseReturnFees
  (ReturnFeesCustomerResponsibility).
- AggregateRating (the ProductGroup's or Product's aggregateRating, once buyers' approved
  reviews exist): ratingValue, reviewCount, bestRating, worstRating.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from oscar.core.loading import get_class
from stdnum import ean

from shop.selectors import product_picture

BRAND = "Bauerfeind"  # the maker of everything the shop sells
COUNTRY = "AU"  # where the shop delivers and takes returns from
SCHEMA = "https://schema.org/"
# What a variant differs by, in schema.org's terms: attribute code -> property.
VARIANT_PROPERTIES = {"size": "size", "colour": "color"}


def product_json_ld(product, offers, absolute, rating=None) -> dict:
    """The schema.org description of a product's page. `offers` is what the page sells
    (shop.selectors.product_offers), `rating` its buyers' reviews (average, count:
    shop.selectors.verified_rating); `absolute(path)` makes a URL absolute.

    A product with variants is a ProductGroup with one Product per variant; a product without
    any, or a variant's own page, is a Product with its one Offer."""
    data = {
        "@context": "https://schema.org",
        "@type": "ProductGroup" if product.is_parent else "Product",
        "name": product.get_title(),
        "description": plain_text(product.description or _group_description(product)),
        "url": absolute(product.get_absolute_url()),
        "brand": {"@type": "Brand", "name": BRAND},
    }
    if (image := product_picture(product)) is not None:
        data["image"] = absolute(image.original.url)
    if rating is not None:
        average, count = rating
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(average),
            "reviewCount": count,
            "bestRating": 5,
            "worstRating": 1,
        }
    if product.is_parent:
        data["productGroupID"] = group_id(product)
        data["variesBy"] = [
            SCHEMA + prop
            for code, prop in VARIANT_PROPERTIES.items()
            if len({offer.attributes.get(code) for offer in offers}) > 1
        ]
        data["hasVariant"] = [_variant(offer, absolute) for offer in offers]
        return data
    if product.is_child:
        data["inProductGroupWithID"] = group_id(product.parent)
        data["isVariantOf"] = {
            "@type": "ProductGroup",
            "productGroupID": group_id(product.parent),
            "name": product.parent.get_title(),
            "url": absolute(product.parent.get_absolute_url()),
        }
    for offer in offers[:1]:
        data.update(_identity(offer))
        data["offers"] = _offer(offer, absolute)
    return data


def _variant(offer, absolute) -> dict:
    data = {"@type": "Product", "name": offer.title, **_identity(offer)}
    if offer.image is not None:
        data["image"] = absolute(offer.image.original.url)
    data["url"] = absolute(offer.product.get_absolute_url())
    data["offers"] = _offer(offer, absolute)
    return data


def _identity(offer) -> dict:
    """sku, gtin or mpn, and the size and colour that tell this variant from the others."""
    data = {"sku": offer.sku, **identifiers(offer)}
    for code, prop in VARIANT_PROPERTIES.items():
        if offer.attributes.get(code):
            data[prop] = str(offer.attributes[code])
    return data


def _offer(offer, absolute) -> dict:
    return {
        "@type": "Offer",
        "url": absolute(offer.product.get_absolute_url()),
        "price": money(offer.price),
        "priceCurrency": offer.currency,
        "availability": SCHEMA + ("InStock" if offer.available else "OutOfStock"),
        "itemCondition": SCHEMA + "NewCondition",
        "shippingDetails": [
            {
                "@type": "OfferShippingDetails",
                "name": delivery.name,
                "shippingRate": {
                    "@type": "MonetaryAmount",
                    "value": money(delivery.charge_for_goods(offer.price)),
                    "currency": offer.currency,
                },
                "shippingDestination": {"@type": "DefinedRegion", "addressCountry": COUNTRY},
                "deliveryTime": {
                    "@type": "ShippingDeliveryTime",
                    "transitTime": {
                        "@type": "QuantitativeValue",
                        "minValue": delivery.transit_days[0],
                        "maxValue": delivery.transit_days[1],
                        "unitCode": "DAY",
                    },
                },
            }
            for delivery in delivery_methods()
        ],
        "hasMerchantReturnPolicy": return_policy(absolute),
    }


def return_policy(absolute) -> dict:
    """The returns policy page's terms (templates/shop/returns_policy.html) as a schema.org
    MerchantReturnPolicy: returns within RETURNS_WINDOW_DAYS, posted back, at the customer's
    cost when they changed their mind. Faults are the Australian Consumer Law's, whenever."""
    days = settings.RETURNS_WINDOW_DAYS
    policy = {
        "@type": "MerchantReturnPolicy",
        "applicableCountry": COUNTRY,
        "merchantReturnLink": absolute(reverse("returns-policy")),
    }
    if days <= 0:
        policy["returnPolicyCategory"] = SCHEMA + "MerchantReturnNotPermitted"
        return policy
    policy["returnPolicyCategory"] = SCHEMA + "MerchantReturnFiniteReturnWindow"
    policy["merchantReturnDays"] = days
    policy["returnMethod"] = SCHEMA + "ReturnByMail"
    policy["customerRemorseReturnFees"] = SCHEMA + "ReturnFeesCustomerResponsibility"
    return policy


def delivery_methods():
    """The delivery methods the checkout offers, each with its `charge_for_goods(amount)`."""
    return get_class("shipping.repository", "Repository").methods


def identifiers(offer) -> dict:
    """What identifies the product to a shopping engine beside its brand: its GTIN when the
    product's UPC is one (8, 12, 13 or 14 digits with a valid check digit), else the SKU as
    the part number (mpn). Merchant Center refuses a GTIN that is not one."""
    upc = offer.product.upc or ""
    if ean.is_valid(upc):
        return {"gtin": ean.compact(upc)}
    return {"mpn": offer.sku}


def group_id(product) -> str:
    """A product with variants' identifier for search engines and the feed: its UPC."""
    return product.upc or str(product.pk)


def money(amount) -> str:
    return f"{amount:.2f}"


def plain_text(html: str) -> str:
    """The text of a product description, one line: a space before each tag keeps "</p><p>"
    from gluing two sentences together."""
    return " ".join(strip_tags((html or "").replace("<", " <")).split())


def _group_description(product) -> str:
    return product.parent.description if product.is_child else ""
