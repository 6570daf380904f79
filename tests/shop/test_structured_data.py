"""What search engines read on a product page (shop/structured_data.py): the LumboTrain as a
schema.org ProductGroup of its sizes and colours, each with its price, stock, delivery and
returns; a product without sizes as a Product with one Offer; nothing in product text can
break out of the JSON-LD, and the page's Content-Security-Policy lets a browser read it."""

import json
import os
import re
import shutil
from decimal import Decimal as D

import pytest
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")
StockRecord = get_model("partner", "StockRecord")

SCHEMA = "https://schema.org/"
LUMBOTRAIN_SKUS = {f"LT-{size}-{colour}" for size in range(1, 8) for colour in ("TIT", "BLK")}
SOLD_OUT = {"LT-1-TIT", "LT-7-BLK"}  # shop/demo.py


def names(text: str) -> set[str]:
    """schema.org names, written as the vocabulary's pages list them."""
    return set(text.split())


# The part of the schema.org vocabulary the pages use (https://schema.org/<Type>): each type's
# properties, its own and those it inherits (ProductGroup < Product < Thing; Offer, Brand,
# MerchantReturnPolicy, AggregateRating (< Rating) < Intangible < Thing; OfferShippingDetails,
# MonetaryAmount, ShippingDeliveryTime, QuantitativeValue < StructuredValue < Intangible < Thing;
# DefinedRegion < StructuredValue). A property the vocabulary does not give the type, or a
# misspelt one ("colour"), fails the test.
THING = names("name description url image identifier sameAs alternateName")
PRODUCT = THING | names(
    "brand sku gtin gtin8 gtin12 gtin13 gtin14 mpn size color offers aggregateRating review "
    "inProductGroupWithID isVariantOf itemCondition material category"
)
VOCABULARY = {
    "Product": PRODUCT,
    "ProductGroup": PRODUCT | names("hasVariant productGroupID variesBy"),
    "Brand": THING | names("logo"),
    "Offer": THING
    | names(
        "price priceCurrency availability itemCondition shippingDetails hasMerchantReturnPolicy "
        "sku gtin mpn priceValidUntil"
    ),
    "OfferShippingDetails": THING
    | names("shippingRate shippingDestination deliveryTime doesNotShip shippingOrigin"),
    "MonetaryAmount": THING | names("value currency minValue maxValue"),
    "DefinedRegion": THING | names("addressCountry addressRegion postalCode"),
    "ShippingDeliveryTime": THING | names("handlingTime transitTime cutoffTime businessDays"),
    "QuantitativeValue": THING | names("value minValue maxValue unitCode unitText"),
    "AggregateRating": THING
    | names("ratingValue reviewCount ratingCount bestRating worstRating itemReviewed"),
    "MerchantReturnPolicy": THING
    | names(
        "applicableCountry returnPolicyCategory merchantReturnDays merchantReturnLink "
        "returnMethod returnFees refundType customerRemorseReturnFees itemDefectReturnFees"
    ),
}
# What a property holds when it holds a thing: its schema.org range (the types used here).
RANGES = {
    "brand": {"Brand"},
    "aggregateRating": {"AggregateRating"},
    "hasVariant": {"Product"},
    "isVariantOf": {"ProductGroup"},
    "offers": {"Offer"},
    "shippingDetails": {"OfferShippingDetails"},
    "shippingRate": {"MonetaryAmount"},
    "shippingDestination": {"DefinedRegion"},
    "deliveryTime": {"ShippingDeliveryTime"},
    "transitTime": {"QuantitativeValue"},
    "hasMerchantReturnPolicy": {"MerchantReturnPolicy"},
}
# Properties whose value is a member of a schema.org enumeration, given by its URL.
ENUMERATIONS = {
    "availability": {"InStock", "OutOfStock"},
    "itemCondition": {"NewCondition"},
    "returnPolicyCategory": {"MerchantReturnFiniteReturnWindow", "MerchantReturnNotPermitted"},
    "variesBy": {"size", "color"},  # schema.org properties, as Google asks
    "returnMethod": {"ReturnByMail"},
    "customerRemorseReturnFees": {"ReturnFeesCustomerResponsibility", "FreeReturn"},
}


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def json_ld(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(blocks) == 1, "one description of the product per page"
    return json.loads(blocks[0])


def page_of(upc: str) -> str:
    return Product.objects.get(upc=upc).get_absolute_url()


def vocabulary_errors(node, path="$") -> list[str]:
    """Each @type and property of the JSON-LD that the schema.org vocabulary does not have."""
    if isinstance(node, list):
        return [error for i, item in enumerate(node) for error in vocabulary_errors(item, path)]
    if not isinstance(node, dict):
        return []
    kind = node.get("@type")
    if kind not in VOCABULARY:
        return [f"{path}: no schema.org type {kind!r}"]
    errors = []
    for prop, value in node.items():
        if prop.startswith("@"):
            continue
        where = f"{path}.{prop}"
        if prop not in VOCABULARY[kind]:
            errors.append(f"{where}: {kind} has no property {prop!r}")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("@type") not in RANGES.get(prop, ()):
                errors.append(f"{where}: holds a {item.get('@type')}, not a {RANGES.get(prop)}")
            if prop in ENUMERATIONS and item.removeprefix(SCHEMA) not in ENUMERATIONS[prop]:
                errors.append(f"{where}: {item!r} is not one of schema.org's {prop} values")
        errors += vocabulary_errors(value, where)
    return errors


def test_the_lumbotrain_is_a_product_group_of_every_size_and_colour(client, demo):
    data = json_ld(client, page_of("LUMBOTRAIN"))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ProductGroup"
    assert data["productGroupID"] == "LUMBOTRAIN"
    assert data["name"] == "LumboTrain Back Support"
    assert data["brand"] == {"@type": "Brand", "name": "Bauerfeind"}
    assert data["variesBy"] == [SCHEMA + "size", SCHEMA + "color"]
    variants = data["hasVariant"]
    assert {variant["@type"] for variant in variants} == {"Product"}
    assert {variant["sku"] for variant in variants} == LUMBOTRAIN_SKUS
    for variant in variants:
        size, colour = variant["sku"].split("-")[1:]
        assert variant["size"] == size
        assert variant["color"] == {"TIT": "titanium", "BLK": "black"}[colour]
        assert f"size {size}, {variant['color']}" in variant["name"]
        assert variant["mpn"] == variant["sku"]  # the demo's codes are not GTINs
        assert variant["url"].startswith("http://testserver/catalogue/")


def test_each_size_offers_its_own_price_in_aud_and_whether_it_is_in_stock(client, demo):
    data = json_ld(client, page_of("LUMBOTRAIN"))

    prices = dict(StockRecord.objects.values_list("partner_sku", "price"))
    for variant in data["hasVariant"]:
        offer = variant["offers"]
        assert offer["@type"] == "Offer"
        assert re.fullmatch(r"\d+\.\d\d", offer["price"]), "a string with two decimals"
        assert D(offer["price"]) == prices[variant["sku"]]
        assert offer["priceCurrency"] == "AUD"
        in_stock = variant["sku"] not in SOLD_OUT
        assert offer["availability"] == SCHEMA + ("InStock" if in_stock else "OutOfStock")
    assert {v["offers"]["price"] for v in data["hasVariant"]} == {"289.95", "299.95"}


def test_selling_out_a_size_shows_in_its_offer(client, demo):
    StockRecord.objects.filter(partner_sku="LT-3-TIT").update(num_in_stock=0)

    variants = json_ld(client, page_of("LUMBOTRAIN"))["hasVariant"]

    offer = next(v["offers"] for v in variants if v["sku"] == "LT-3-TIT")
    assert offer["availability"] == SCHEMA + "OutOfStock"


def test_offers_say_what_delivery_to_australia_costs_standard_free_from_the_threshold(
    client, demo, settings
):
    settings.SHIPPING_FREE_THRESHOLD = D("295.00")

    variants = json_ld(client, page_of("LUMBOTRAIN"))["hasVariant"]

    rates = {}
    for variant in variants:
        for details in variant["offers"]["shippingDetails"]:
            assert details["@type"] == "OfferShippingDetails"
            assert details["shippingDestination"] == {
                "@type": "DefinedRegion",
                "addressCountry": "AU",
            }
            rate = details["shippingRate"]
            assert (rate["@type"], rate["currency"]) == ("MonetaryAmount", "AUD")
            rates[variant["sku"], details["name"]] = rate["value"]
            transit = details["deliveryTime"]["transitTime"]
            assert 0 < transit["minValue"] <= transit["maxValue"]
    assert rates["LT-5-TIT", "Standard delivery"] == "9.95"  # $289.95
    assert rates["LT-6-TIT", "Standard delivery"] == "0.00"  # $299.95
    assert rates["LT-5-TIT", "Express delivery"] == rates["LT-6-TIT", "Express delivery"] == "19.95"


def test_offers_carry_the_returns_window_of_the_returns_setting(client, demo, settings):
    settings.RETURNS_WINDOW_DAYS = 45

    data = json_ld(client, page_of("LUMBOTRAIN"))

    for variant in data["hasVariant"]:
        assert variant["offers"]["hasMerchantReturnPolicy"] == {
            "@type": "MerchantReturnPolicy",
            "applicableCountry": "AU",
            "merchantReturnLink": "http://testserver/returns-policy/",
            "returnPolicyCategory": SCHEMA + "MerchantReturnFiniteReturnWindow",
            "merchantReturnDays": 45,
            "returnMethod": SCHEMA + "ReturnByMail",
            "customerRemorseReturnFees": SCHEMA + "ReturnFeesCustomerResponsibility",
        }
    assert client.get("/returns-policy/").status_code == 200


def test_a_product_without_sizes_is_a_product_with_one_offer(client, demo):
    data = json_ld(client, page_of("GENUTRAIN"))

    assert data["@type"] == "Product"
    assert (data["name"], data["sku"], data["color"]) == (
        "GenuTrain Knee Support",
        "GENUTRAIN",
        "titanium",
    )
    assert "hasVariant" not in data and "aggregateRating" not in data  # no reviews yet
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert (offer["price"], offer["priceCurrency"]) == ("189.95", "AUD")
    assert offer["availability"] == SCHEMA + "InStock"


def test_buyers_approved_reviews_give_the_product_group_its_rating(client, demo):
    from oscar.test.factories import create_order

    from shop.models import ReviewVerification

    lumbotrain, order = Product.objects.get(upc="LUMBOTRAIN"), create_order()
    approved, waiting = ProductReview.APPROVED, ProductReview.FOR_MODERATION
    reviews = [(5, approved, True), (4, approved, True), (1, approved, False), (1, waiting, True)]
    for score, status, bought in reviews:
        review = ProductReview.objects.create(
            product=lumbotrain, score=score, status=status, title="Fits", body="Warm.", name="Mia"
        )
        if bought:
            ReviewVerification.objects.create(review=review, order=order, fit="true")

    data = json_ld(client, page_of("LUMBOTRAIN"))

    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.5",  # the buyers' approved reviews only
        "reviewCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert vocabulary_errors(data) == []


def test_a_sizes_own_page_says_which_product_group_it_belongs_to(client, demo):
    data = json_ld(client, page_of("LT-3-BLK"))

    assert data["@type"] == "Product"
    assert (data["sku"], data["size"], data["color"]) == ("LT-3-BLK", "3", "black")
    assert data["inProductGroupWithID"] == "LUMBOTRAIN"
    assert data["isVariantOf"]["productGroupID"] == "LUMBOTRAIN"
    assert data["offers"]["price"] == "289.95"


@pytest.mark.parametrize("upc", ["LUMBOTRAIN", "GENUTRAIN", "LT-3-BLK"])
def test_every_type_and_property_is_in_the_schema_org_vocabulary(client, demo, upc):
    data = json_ld(client, page_of(upc))

    assert vocabulary_errors(data) == []


def test_a_real_gtin_is_given_as_gtin_and_anything_else_as_the_part_number(client, demo):
    Product.objects.filter(upc="GENUTRAIN").update(upc="4046445123450")  # an EAN-13

    data = json_ld(client, page_of("4046445123450"))

    assert data["gtin"] == "4046445123450" and "mpn" not in data


def test_product_text_cannot_end_the_json_ld_script(client, demo):
    sneaky = 'Knee </script><script>alert("x")</script> & <!-- "support"'
    Product.objects.filter(upc="GENUTRAIN").update(title=sneaky, description=f"<p>{sneaky}</p>")

    html = client.get(page_of("GENUTRAIN")).content.decode()

    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block  # written as \u003C and \u003E
    data = json.loads(block)
    assert data["name"] == sneaky


def test_a_browser_reads_the_json_ld_under_the_pages_content_security_policy(client, demo):
    """The JSON-LD carries no nonce: it is a data block, which browsers never run, so the
    policy's script-src does not apply to it. Chromium loads the page as served, with its own
    policy header, and reports no violation while reading the data."""
    from playwright.sync_api import sync_playwright

    response = client.get(page_of("LUMBOTRAIN"))
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert re.search(r'<script type="application/ld\+json">', response.content.decode())

    def serve(route):
        if route.request.url != "http://shop.test/":
            return route.abort()  # static files: not what this test is about
        route.fulfill(
            status=200,
            headers={"Content-Type": response["Content-Type"], "Content-Security-Policy": policy},
            body=response.content,
        )

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    assert chromium, "Chromium is needed: apt-get install chromium (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.add_init_script(
                "window.violations = [];"
                "document.addEventListener('securitypolicyviolation',"
                " (event) => window.violations.push(event.violatedDirective));"
            )
            page.route("**/*", serve)
            page.goto("http://shop.test/")
            data = page.evaluate(
                "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
                ".textContent)"
            )
            violations = page.evaluate("window.violations")
        finally:
            browser.close()

    assert data["@type"] == "ProductGroup" and len(data["hasVariant"]) == 14
    assert violations == []
