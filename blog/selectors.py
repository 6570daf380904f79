"""Reads of the blog for pages outside it (the home page) and inside it."""

import hashlib

from django.db.models import Count, Max, Q, Sum
from oscar.core.loading import get_model

from blog.models import Article
from blog.rendering import linked_article_slugs, product_blocks

StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")


def latest_articles(*, limit: int = 3):
    return list(Article.objects.published().newest_first().prefetch_related("categories")[:limit])


def article_body_fingerprint(article) -> str:
    """Changes whenever anything the rendered body shows changes: the article itself, the
    title, visibility, price or stock of a product it shows a card for, or which of the
    articles it links to are public (a link appears the moment its article is published or
    its scheduled time passes). Rendered bodies are cached under it, so an edit anywhere is
    visible at once, in every web process, with no invalidation to forget (stock moves by
    UPDATE, which no signal reports)."""
    upcs = [block.upc for block in product_blocks(article.body)]
    parts = [article.pk, article.updated_at.timestamp()]
    if slugs := linked_article_slugs(article.body):
        public = Article.objects.published().filter(slug__in=slugs)
        parts.append(sorted(public.values_list("slug", flat=True)))
    if upcs:
        products = Product.objects.filter(upc__in=upcs)
        stock = StockRecord.objects.filter(product__in=products) | StockRecord.objects.filter(
            product__parent__in=products
        )
        public = Count("pk", filter=Q(is_public=True))
        parts += products.aggregate(Max("date_updated"), public=public).values()
        parts += stock.aggregate(
            Max("date_updated"), Sum("num_in_stock"), Sum("num_allocated"), Sum("price")
        ).values()
    return hashlib.sha256(repr(parts).encode()).hexdigest()
