"""The demo catalogue that `manage.py load_demo` loads: what a new install shows its visitors."""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from oscar.core.loading import get_model

from shop.demo import IMAGE_FOLDER
from shop.selectors import featured_product

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def demo(db, media):
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _lumbotrain():
    return Product.objects.get(upc="LUMBOTRAIN")


def test_lumbotrain_is_a_parent_with_fourteen_children_each_with_its_own_aud_stockrecord(demo):
    lumbotrain = _lumbotrain()

    children = list(lumbotrain.children.all())

    assert lumbotrain.is_parent and lumbotrain.product_class.slug == "support"
    assert not lumbotrain.stockrecords.exists()
    assert len(children) == 14
    skus = set()
    for child in children:
        [record] = child.stockrecords.all()
        assert record.partner.code == "bauerfeind-au"
        assert record.partner_sku == child.upc
        assert record.price_currency == "AUD"
        skus.add(record.partner_sku)
    assert len(skus) == 14
    assert "LT-3-TIT" in skus


def test_lumbotrain_sizes_follow_waist_circumference_and_cost_more_from_size_6(demo):
    size_3 = Product.objects.get(upc="LT-3-TIT")
    size_6 = Product.objects.get(upc="LT-6-BLK")

    assert size_3.title == "LumboTrain Back Support, size 3, titanium"
    assert (size_3.attr.size, size_3.attr.colour) == ("3", "titanium")
    assert (size_3.attr.measure_min_cm, size_3.attr.measure_max_cm) == (90, 100)
    assert size_3.stockrecords.get().price == D("289.95")
    assert size_6.stockrecords.get().price == D("299.95")
    lumbotrain = _lumbotrain()
    assert lumbotrain.attr.measured_at == "waist"
    assert lumbotrain.attr.health_fund_rebate is True


def test_some_lumbotrain_sizes_are_out_of_stock_and_one_is_nearly_gone(demo):
    records = StockRecord.objects.filter(product__parent=_lumbotrain())

    out_of_stock = set(records.filter(num_in_stock=0).values_list("partner_sku", flat=True))
    low = set(records.filter(num_in_stock=2).values_list("partner_sku", flat=True))

    assert {"LT-1-TIT", "LT-7-BLK"} <= out_of_stock
    assert "LT-3-BLK" in low
    assert records.filter(num_in_stock__gt=2).exists()


def test_every_product_has_an_image_in_storage_with_alt_text(demo, media):
    for product in Product.objects.all():
        images = list(product.images.all())

        assert images, product
        for image in images:
            assert image.caption.strip(), image
            assert default_storage.exists(image.original.name)
            assert (media / image.original.name).is_file()  # in MEDIA_ROOT, not elsewhere


def test_featured_range_contains_the_lumbotrain_so_the_home_page_features_it(demo):
    product = featured_product()

    assert product == _lumbotrain()


def test_there_are_four_categories_back_and_spine_first_and_ten_to_fifteen_products(demo):
    roots = list(Category.get_root_nodes())
    catalogue = Product.objects.exclude(structure=Product.CHILD)

    assert [c.slug for c in roots] == ["back-and-spine", "knee", "ankle-and-foot", "wrist-and-hand"]
    assert all(c.description for c in roots)
    assert 10 <= catalogue.count() <= 15
    for product in catalogue:
        assert product.categories.exists(), product
        assert product.description, product
        assert product.attr.material and product.attr.care, product
        assert isinstance(product.attr.health_fund_rebate, bool), product
    assert _lumbotrain().categories.get().slug == "back-and-spine"


def test_shelf_prices_are_aud_including_gst_within_the_realistic_range(demo):
    records = StockRecord.objects.all()

    assert records.exists()
    assert {r.price_currency for r in records} == {"AUD"}
    assert all(D("59.95") <= r.price <= D("329.95") for r in records)


def test_a_second_load_creates_no_row_and_no_image_file(demo, media):
    files = sorted(p for p in media.rglob("*") if p.is_file())
    images = list(ProductImage.objects.values_list("pk", "original"))

    call_command("load_demo", stdout=StringIO())

    assert sorted(p for p in media.rglob("*") if p.is_file()) == files
    assert list(ProductImage.objects.values_list("pk", "original")) == images


def test_a_picture_already_in_storage_is_reused_not_copied(db, media):
    # Given a fresh database but the GenuTrain's picture stored by an earlier load
    name = f"{IMAGE_FOLDER}/demo-genutrain.png"
    default_storage.save(name, ContentFile(b"stored earlier"))

    call_command("load_demo", stdout=StringIO())

    image = Product.objects.get(upc="GENUTRAIN").primary_image()
    assert image.original.name == name
    assert (media / name).read_bytes() == b"stored earlier"
    assert [p.name for p in (media / IMAGE_FOLDER).glob("demo-genutrain.*")] == [
        "demo-genutrain.png"
    ]


def test_load_reports_the_catalogue_it_loaded(demo):
    assert "Catalogue: 14 products, 14 LumboTrain variants" in demo
