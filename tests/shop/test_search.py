"""Search goes through an index (FTS5 on SQLite, full-text search on PostgreSQL) that follows
every change to a product at once; every word counts; nothing typed can break the query."""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from shop.models import ProductSearchDocument
from shop.selectors import product_search

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


@pytest.fixture
def back(db):
    return Category.add_root(name="Back and spine", slug="back-and-spine")


def _titles(query: str) -> set[str]:
    return {p.get_title() for p in product_search(query=query)}


def test_every_word_counts_with_prefixes_and_plurals(back):
    lumbo = create_product(title="LumboTrain Back Support", price=D("289.95"))
    lumbo.categories.add(back)
    create_product(title="GenuTrain Knee Support", price=D("199.95"))

    assert _titles("lumbo") == {"LumboTrain Back Support"}
    assert _titles("supports") == {"LumboTrain Back Support", "GenuTrain Knee Support"}
    assert _titles("spine support") == {"LumboTrain Back Support"}  # a category's name
    assert _titles("knee spine") == set()


def test_a_change_is_found_at_once(back):
    product = create_product(title="Lower back brace", price=D("99.00"))

    product.title = "Lumbar belt"
    product.save()
    product.categories.add(back)
    back.name = "Spinal care"
    back.save()

    assert _titles("brace") == set()
    assert _titles("lumbar belt") == {"Lumbar belt"}
    assert _titles("spinal") == {"Lumbar belt"}


def test_a_variant_is_found_through_its_parent(db):
    parent = create_product(title="LumboTrain", structure="parent")
    create_product(title="LumboTrain size 3", parent=parent, upc="LT-3-TIT", price=D("289.95"))

    assert _titles("LT-3-TIT") == {"LumboTrain"}
    assert not ProductSearchDocument.objects.filter(product__parent=parent).exists()


@pytest.mark.parametrize(
    "typed",
    ['"', "lumbo*", "NEAR(back brace)", "back OR knee", "-back", "back:*", "a & b | !c",
     "'); DROP TABLE catalogue_product; --", "\x00", "ünïcödé", "x" * 5000, "   "],
)  # fmt: skip
def test_nothing_typed_breaks_the_search(client, back, typed):
    create_product(title="LumboTrain Back Support", price=D("289.95"))

    response = client.get("/search/", {"q": typed})

    assert response.status_code in (200, 400)
    assert Product.objects.filter(title="LumboTrain Back Support").exists()


def test_the_rebuild_command_indexes_products_created_without_signals(db):
    Product.objects.bulk_create([Product(title=f"Bulk brace {n}", upc=f"B{n}") for n in range(3)])
    assert _titles("bulk") == set()

    call_command("search_index_rebuild", stdout=StringIO())

    assert len(_titles("bulk brace")) == 3
