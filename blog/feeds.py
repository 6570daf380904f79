from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy

from blog.models import Article


class LatestArticlesFeed(Feed):
    """RSS 2.0 of the twenty newest published articles."""

    title = f"{settings.OSCAR_SHOP_NAME}: back care articles"
    link = reverse_lazy("blog:index")
    description = "Causes of back pain, treatments, and how to choose and fit a support."

    def items(self):
        return Article.objects.published().newest_first()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.byline

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]
