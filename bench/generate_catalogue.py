"""The benchmark's catalogue, made the same in our site and in stock Oscar: Oscar's models only
(product class, partner, a category tree, products with an AUD stock record, a picture and a
category), so the one module runs under either project's settings.

    DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=. .venv/bin/python \\
        bench/generate_catalogue.py 10000

It grows the catalogue to that many generated products (UPC `BENCH-nnnnn`), so running it at
50 and then at 10,000 gives the same first 50 in both sizes. Rows are bulk-inserted, which
sends no signals: afterwards our site needs `manage.py search_index_rebuild` and a haystack
index `manage.py update_index`.
"""

import os
import sys
from decimal import Decimal
from io import BytesIO

# One word in a few titles (one in a thousand): the search page's query.
SEARCH_WORD = "merino"
UPC_PREFIX = "BENCH-"
PARTNER_CODE = "bauerfeind-au"
PRODUCT_CLASS_SLUG = "support"
# Root categories (the demo's own slugs, so our site reuses its tree) and their children.
ROOTS = [
    ("back-and-spine", "Back and spine"),
    ("knee", "Knee"),
    ("ankle-and-foot", "Ankle and foot"),
    ("wrist-and-hand", "Wrist and hand"),
]
KINDS = ["Supports", "Braces", "Sleeves", "Straps", "Accessories"]
ADJECTIVES = ["Active", "Comfort", "Sport", "Classic", "Flex", "Pro", "Light", "Firm", "Daily"]
NOUNS = ["support", "brace", "sleeve", "strap", "bandage", "wrap", "insole"]
IMAGE_FOLDER = "images/products/bench"


def product_upc(n: int) -> str:
    return f"{UPC_PREFIX}{n:05d}"


def product_title(n: int) -> str:
    adjective = ADJECTIVES[n % len(ADJECTIVES)]
    noun = NOUNS[n // len(ADJECTIVES) % len(NOUNS)]
    word = f" {SEARCH_WORD.capitalize()}" if n % 1000 == 1 else ""
    return f"{adjective}{word} {noun} {n}"


def picture(n: int) -> bytes:
    """A small JPEG of its own for each product, so thumbnails are made and looked up per
    product as in a real shop."""
    from PIL import Image

    colour = ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)
    buffer = BytesIO()
    Image.new("RGB", (160, 160), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def category_tree():
    """The leaf categories, created when missing: each root gets its five children."""
    from oscar.core.loading import get_model

    Category = get_model("catalogue", "Category")
    leaves = []
    for slug, name in ROOTS:
        root = Category.get_root_nodes().filter(slug=slug).first()
        if root is None:
            root = Category.add_root(name=name, slug=slug, is_public=True)
        for kind in KINDS:
            child_slug = f"{slug}-{kind.lower()}"
            child = root.get_children().filter(slug=child_slug).first()
            if child is None:
                child = root.add_child(name=f"{name}: {kind}", slug=child_slug, is_public=True)
            leaves.append(child)
    return leaves


def generate(total: int) -> int:
    """Grow the generated products to `total`; returns how many were added."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils.text import slugify
    from oscar.core.loading import get_model

    Partner = get_model("partner", "Partner")
    Product = get_model("catalogue", "Product")
    ProductCategory = get_model("catalogue", "ProductCategory")
    ProductClass = get_model("catalogue", "ProductClass")
    ProductImage = get_model("catalogue", "ProductImage")
    StockRecord = get_model("partner", "StockRecord")

    with transaction.atomic():
        have = Product.objects.filter(upc__startswith=UPC_PREFIX).count()
        if have >= total:
            return 0
        product_class, _ = ProductClass.objects.get_or_create(
            slug=PRODUCT_CLASS_SLUG, defaults={"name": "Support"}
        )
        partner, _ = Partner.objects.get_or_create(
            code=PARTNER_CODE, defaults={"name": "Bauerfeind Australia"}
        )
        leaves = category_tree()
        numbers = range(have, total)
        products = Product.objects.bulk_create(
            (
                Product(
                    title=product_title(n),
                    slug=slugify(product_title(n)),
                    upc=product_upc(n),
                    structure=Product.STANDALONE,
                    product_class=product_class,
                    description=(
                        f"<p>{product_title(n)}: knitted compression fabric that supports and "
                        f"relieves the joint. Item {n} of the benchmark catalogue.</p>"
                    ),
                    is_public=True,
                )
                for n in numbers
            ),
            batch_size=500,
        )
        StockRecord.objects.bulk_create(
            (
                StockRecord(
                    product=product,
                    partner=partner,
                    partner_sku=product.upc,
                    price=Decimal("29.95") + Decimal(10 * (n % 30)),  # AUD, GST included
                    price_currency="AUD",
                    num_in_stock=5 + n % 50,
                )
                for n, product in zip(numbers, products, strict=True)
            ),
            batch_size=500,
        )
        ProductCategory.objects.bulk_create(
            (
                ProductCategory(product=product, category=leaves[n % len(leaves)])
                for n, product in zip(numbers, products, strict=True)
            ),
            batch_size=500,
        )
        images = []
        for n, product in zip(numbers, products, strict=True):
            name = default_storage.save(
                f"{IMAGE_FOLDER}/{product.upc.lower()}.jpg", ContentFile(picture(n))
            )
            images.append(
                ProductImage(product=product, original=name, caption=product.title, display_order=0)
            )
        ProductImage.objects.bulk_create(images, batch_size=500)
    return len(products)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: generate_catalogue.py NUMBER_OF_PRODUCTS (with DJANGO_SETTINGS_MODULE)")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    added = generate(int(sys.argv[1]))
    print(f"{added} products added ({sys.argv[1]} generated in all)")
