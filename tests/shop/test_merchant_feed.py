"""The Google Merchant Center feed, /feeds/products.xml (shop/feeds.py): RSS 2.0 with Google's
namespace, one item per size and colour and per product without sizes, with what Merchant
Center requires; well-formed whatever product text holds; a fixed number of queries however
large the catalogue; served from the page cache, with a stock change shown at once."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model
from oscar.test.factories import create_product

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

FEED = "/feeds/products.xml"
G = "{http://base.google.com/ns/1.0}"
LUMBOTRAIN_SKUS = {f"LT-{size}-{colour}" for size in range(1, 8) for colour in ("TIT", "BLK")}
REQUIRED = ("id", "title", "description", "link", "image_link", "availability", "price", "brand")


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def fetch(client=None):
    response = (client or Client()).get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    return response


def items(response) -> dict[str, ET.Element]:
    """The feed's items by g:id; parsing it proves it is well-formed XML."""
    channel = ET.fromstring(response.content).find("channel")
    found = {item.findtext(G + "id"): item for item in channel.findall("item")}
    assert len(found) == len(channel.findall("item")), "each id once"
    return found


def shipping(item) -> dict[str, str]:
    """Service -> price of the item's g:shipping entries (all to Australia)."""
    entries = item.findall(G + "shipping")
    assert {entry.findtext(G + "country") for entry in entries} == {"AU"}
    return {entry.findtext(G + "service"): entry.findtext(G + "price") for entry in entries}


def test_the_feed_is_rss_2_in_googles_namespace(demo, settings):
    response = fetch()

    assert b'xmlns:g="http://base.google.com/ns/1.0"' in response.content
    rss = ET.fromstring(response.content)
    assert (rss.tag, rss.get("version")) == ("rss", "2.0")
    channel = rss.find("channel")
    assert channel.findtext("title") == settings.OSCAR_SHOP_NAME
    assert channel.findtext("link") == settings.SITE_URL + "/"
    assert channel.findtext("description")


def test_every_size_and_colour_of_the_lumbotrain_is_an_item_of_its_group(demo):
    feed = items(fetch())

    lumbotrain = {sku: item for sku, item in feed.items() if sku.startswith("LT-")}
    assert set(lumbotrain) == LUMBOTRAIN_SKUS
    for sku, item in lumbotrain.items():
        size, colour = sku.split("-")[1:]
        colour = {"TIT": "titanium", "BLK": "black"}[colour]
        assert item.findtext(G + "item_group_id") == "LUMBOTRAIN"
        assert (item.findtext(G + "size"), item.findtext(G + "color")) == (size, colour)
        assert item.findtext(G + "title") == f"LumboTrain Back Support, size {size}, {colour}"
        assert "lumbar spine" in item.findtext(G + "description")  # the parent's, as text


def test_each_item_has_what_merchant_center_requires(demo, settings):
    feed = items(fetch())

    prices = dict(StockRecord.objects.values_list("partner_sku", "price"))
    for sku, item in feed.items():
        assert all(item.findtext(G + field) for field in REQUIRED), sku
        assert item.findtext(G + "link").startswith(settings.SITE_URL + "/catalogue/")
        assert item.findtext(G + "image_link").startswith(settings.SITE_URL + "/media/")
        assert item.findtext(G + "price") == f"{prices[sku]} AUD"
        assert item.findtext(G + "brand") == "Bauerfeind"
        assert item.findtext(G + "mpn") == sku or item.findtext(G + "gtin")
        assert item.findtext(G + "condition") == "new"
        assert set(shipping(item)) == {"Standard delivery", "Express delivery"}
    assert feed["LT-3-TIT"].findtext(G + "price") == "289.95 AUD"
    assert feed["LT-6-BLK"].findtext(G + "price") == "299.95 AUD"
    availability = {sku: item.findtext(G + "availability") for sku, item in feed.items()}
    assert {sku for sku, said in availability.items() if said == "out_of_stock"} == {
        "LT-1-TIT",
        "LT-7-BLK",
    }
    assert set(availability.values()) == {"in_stock", "out_of_stock"}


def test_delivery_is_free_from_the_threshold_and_charged_below_it(demo):
    feed = items(fetch())

    assert shipping(feed["LT-3-TIT"]) == {  # $289.95
        "Standard delivery": "0.00 AUD",
        "Express delivery": "19.95 AUD",
    }
    assert shipping(feed["VISCOSPOT"]) == {  # $59.95
        "Standard delivery": "9.95 AUD",
        "Express delivery": "19.95 AUD",
    }


def test_products_without_sizes_are_items_of_their_own(demo):
    feed = items(fetch())

    standalone = Product.objects.filter(structure=Product.STANDALONE)
    assert {p.upc for p in standalone} <= set(feed)
    assert len(feed) == standalone.count() + len(LUMBOTRAIN_SKUS)
    genutrain = feed["GENUTRAIN"]
    assert genutrain.find(G + "item_group_id") is None
    assert genutrain.findtext(G + "title") == "GenuTrain Knee Support"
    assert genutrain.findtext(G + "color") == "titanium"
    assert genutrain.find(G + "size") is None
    assert "LUMBOTRAIN" not in feed, "a parent is not for sale itself"


def test_hidden_products_and_products_without_a_price_are_left_out(demo):
    Product.objects.filter(upc="GENUTRAIN").update(is_public=False)
    Product.objects.filter(upc="LT-2-BLK").update(is_public=False)
    StockRecord.objects.filter(partner_sku="MANUTRAIN").delete()

    feed = items(fetch())

    assert {"GENUTRAIN", "LT-2-BLK", "MANUTRAIN"}.isdisjoint(feed)
    assert "LT-2-TIT" in feed

    Product.objects.filter(upc="LUMBOTRAIN").update(is_public=False)
    assert not LUMBOTRAIN_SKUS & set(items(fetch()))


def test_the_feed_is_well_formed_whatever_product_text_holds(demo):
    # Control characters XML 1.0 cannot hold (not NUL: PostgreSQL refuses it in text already).
    awkward = 'Knee & "ankle" <support> ]]> </rss> \x0b\x1f\ufffe caf\u00e9 \U0001f9b5'
    Product.objects.filter(upc="GENUTRAIN").update(title=awkward, description=f"<p>{awkward}</p>")

    item = items(fetch())["GENUTRAIN"]

    expected = 'Knee & "ankle" <support> ]]> </rss>  caf\u00e9 \U0001f9b5'
    assert item.findtext(G + "title") == expected  # only what XML 1.0 cannot carry is dropped
    assert "caf\u00e9" in item.findtext(G + "description")


def test_the_feed_costs_the_same_queries_for_a_catalogue_fifty_products_larger(
    demo, page_cache_off
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = fetch()
        return len(captured), len(items(response))

    before, listed = queries()
    for n in range(40):
        create_product(upc=f"EXTRA-{n}", title=f"Extra support {n}", price=D("99.95"))
    group = create_product(upc="EXTRA-GROUP", title="Extra group", structure="parent")
    for n in range(10):
        create_product(parent=group, upc=f"EXTRA-{n}-V", price=D("129.95"), num_in_stock=3)

    after, listed_after = queries()

    assert listed_after == listed + 50
    assert after == before <= 6


@pytest.fixture
def committed_demo(committed_db, load_demo):
    load_demo()


def test_a_second_fetch_comes_from_the_page_cache_and_a_stock_change_shows_at_once(
    committed_demo,
):
    first = fetch()
    with CaptureQueriesContext(connection) as queries:
        second = fetch()

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert len(queries) == 1  # the page generation
    assert second.content == first.content
    assert items(second)["LT-3-TIT"].findtext(G + "availability") == "in_stock"

    # an UPDATE, as Oscar allocates stock: no signal is sent
    StockRecord.objects.filter(partner_sku="LT-3-TIT").update(num_in_stock=0)

    assert items(fetch())["LT-3-TIT"].findtext(G + "availability") == "out_of_stock"
    record = StockRecord.objects.get(partner_sku="GENUTRAIN")
    record.price = D("179.95")
    record.save()
    assert items(fetch())["GENUTRAIN"].findtext(G + "price") == "179.95 AUD"


def test_the_feed_is_not_the_html_cut_into_holes(committed_demo):
    """A quote in product text is not a token to swap: the feed is stored and served whole."""
    Product.objects.filter(upc="GENUTRAIN").update(title='Knee nonce="abc" support')
    first = fetch()

    second = fetch()

    assert second["X-Page-Cache"] == "hit"
    assert re.search(rb'Knee nonce="abc" support', second.content)
    assert second.content == first.content
