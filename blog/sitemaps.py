from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from oscar.core.loading import get_model

from blog.models import Article

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Article.objects.published().newest_first()

    def lastmod(self, item):
        return item.updated_at


class ProductSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Product.objects.browsable().order_by("pk")

    def lastmod(self, item):
        return item.date_updated


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Category.objects.browsable().order_by("path")


class PageSitemap(Sitemap):
    """The site's fixed pages."""

    changefreq = "weekly"

    def items(self):
        return ["home", "catalogue:index", "blog:index"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "products": ProductSitemap,
    "categories": CategorySitemap,
}
