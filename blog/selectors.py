"""Reads of the blog for pages outside it (the home page) and inside it."""

import hashlib

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from oscar.core.loading import get_model

from blog.models import Article
from blog.rendering import linked_article_slugs, product_blocks
from core import funnel

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


def article_funnel() -> dict:
    """What each article led to over the last FUNNEL_DAYS days (core/funnel.py): a row per
    article that began a visit, most readers first, the totals and the funnel's bars."""
    per_landing = funnel.figures(prefix="article:")
    counts = {int(key.removeprefix("article:")): c for key, c in per_landing.items()}
    articles = Article.objects.filter(pk__in=counts).only("pk", "title", "slug")
    rows = sorted(
        ({"article": a, "counts": [counts[a.pk][s] for s in funnel.STEPS]} for a in articles),
        key=lambda row: (-row["counts"][0], row["article"].title),
    )
    totals = {s: sum(row["counts"][i] for row in rows) for i, s in enumerate(funnel.STEPS)}
    return {
        "rows": rows,
        "totals": [totals[s] for s in funnel.STEPS],
        "labels": [funnel.STEP_LABELS[s] for s in funnel.STEPS],
        "bars": funnel.funnel_bars(totals),
        "width": funnel.FUNNEL_WIDTH,
        "height": funnel.funnel_height(),
        "label_width": funnel.LABEL_WIDTH,
        "bar_height": funnel.BAR_HEIGHT,
        "days": settings.FUNNEL_DAYS,
    }
