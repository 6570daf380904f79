from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from blog.models import Article
from core.jsonld import json_ld_script

register = template.Library()


@register.simple_tag(takes_context=True)
def article_meta(context, article):
    """Canonical URL, Open Graph and Twitter card tags and schema.org Article JSON-LD."""
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    image = request.build_absolute_uri(article.featured_image.url) if article.featured_image else ""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.meta_description,
        "mainEntityOfPage": url,
        "author": {
            "@type": "Organization" if not article.author else "Person",
            "name": article.byline,
        },
        "publisher": {"@type": "Organization", "name": settings.OSCAR_SHOP_NAME},
        "wordCount": len(article.body.split()),
    }
    if article.published_at:
        data["datePublished"] = localtime(article.published_at).isoformat()
    data["dateModified"] = localtime(article.updated_at).isoformat()
    if image:
        data["image"] = image
    tags = render_to_string(
        "blog/partials/article_meta.html",
        {"article": article, "url": url, "image": image, "shop_name": settings.OSCAR_SHOP_NAME},
    )
    # `tags` is the output of a template rendered with autoescape on.
    tags = mark_safe(tags)  # noqa: S308  # nosec B308 B703
    return tags + json_ld_script(data)


@register.simple_tag
def product_articles(product, limit=3):
    """Published articles that mention this product (or, for a size, its parent)."""
    products = [product.pk, product.parent_id] if product.parent_id else [product.pk]
    return list(
        Article.objects.published()
        .filter(related_products__in=products)
        .distinct()
        .newest_first()[:limit]
    )
