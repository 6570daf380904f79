"""Product search over an index: PostgreSQL full-text search (a GIN index on the documents'
tsvector) in production, SQLite's FTS5 on the zero set-up default. Every word of the query
must match (as a word or the start of one, with English stemming: "supports" finds
"support"), in the title, UPC, description, a category's name or a variant's title or UPC.

The documents (shop.models.ProductSearchDocument) follow every change to a product, its
variants or categories (shop/receivers.py); `manage.py search_index_rebuild` remakes them all,
e.g. after a bulk import that bypasses signals.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags
from oscar.core.loading import get_model

from shop.models import ProductSearchDocument

Product = get_model("catalogue", "Product")

MAX_WORDS = 10
SEARCH_CONFIG = "english"
# SQLite only: the FTS5 table over ProductSearchDocument.text (shop/migrations/0002).
FTS_MATCH = "SELECT rowid FROM shop_productsearch_fts WHERE shop_productsearch_fts MATCH %s"


def query_words(query: str) -> list[str]:
    """The words of a query, as the index sees them: letters and digits only, so nothing a
    visitor types can change the index's query syntax."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def matching_product_ids(words: list[str]):
    """A subquery of the ids of the products whose document has every word (or a word
    starting with it)."""
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        return (
            ProductSearchDocument.objects.annotate(
                document=SearchVector("text", config=SEARCH_CONFIG)
            )
            .filter(document=SearchQuery(tsquery, search_type="raw", config=SEARCH_CONFIG))
            .values("product_id")
        )
    match = " AND ".join(f'"{word}"*' for word in words)
    # FTS_MATCH is a constant; the match (words of \w only, quoted) is a bound parameter.
    return RawSQL(FTS_MATCH, (match,))  # noqa: S611  # nosec B611


def document_text(product) -> str:
    parts = [product.title, product.upc or "", strip_tags(product.description or "")]
    parts += [category.name for category in product.categories.all()]
    if product.product_class:
        parts.append(product.product_class.name)
    for child in product.children.all():
        parts += [child.title, child.upc or ""]
    return " ".join(part for part in parts if part)


def document_update(product_id: int) -> None:
    """Rewrite one product's document (a variant's change rewrites its parent's); a product
    that no longer exists, or is a variant, has none."""
    product = (
        Product.objects.filter(pk=product_id)
        .select_related("product_class", "parent")
        .prefetch_related("categories", "children")
        .first()
    )
    if product is None:
        ProductSearchDocument.objects.filter(product_id=product_id).delete()
        return
    if product.is_child:  # found through its parent's document
        document_update(product.parent_id)
        return
    ProductSearchDocument.objects.update_or_create(
        product_id=product.pk, defaults={"text": document_text(product)}
    )


def documents_rebuild() -> int:
    """Every browsable product's document, made again; returns how many."""
    ProductSearchDocument.objects.all().delete()
    products = (
        Product.objects.filter(parent=None)
        .select_related("product_class")
        .prefetch_related("categories", "children")
    )
    ProductSearchDocument.objects.bulk_create(
        (ProductSearchDocument(product_id=p.pk, text=document_text(p)) for p in products),
        batch_size=500,
    )
    return ProductSearchDocument.objects.count()
