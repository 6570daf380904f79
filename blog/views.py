from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView

from blog.models import Article, Category
from blog.rendering import product_blocks, render_body
from blog.selectors import article_body_fingerprint
from core import funnel
from shop.selectors import product_cards

ARTICLES_PER_PAGE = 10
BODY_CACHE_SECONDS = 60 * 60


class ArticleListView(ListView):
    """Published articles, newest first. A page number past the end answers 404."""

    template_name = "blog/article_list.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().newest_first().prefetch_related("categories")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            categories=Category.objects.filter(articles__in=Article.objects.published())
            .distinct()
            .order_by("name"),
            **kwargs,
        )


class CategoryView(ArticleListView):
    template_name = "blog/category.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().filter(categories=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class ArticleDetailView(DetailView):
    """One article. Drafts and future-dated articles are 404 to the public; staff see them,
    marked as a preview, so they can check an article before publishing it."""

    template_name = "blog/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        articles = Article.objects.prefetch_related("categories", "tags")
        if self.request.user.is_staff:
            return articles
        return articles.published()

    def get_context_data(self, **kwargs):
        article = self.object
        if article.is_public:  # the first article a visit reads: what it leads to
            funnel.land(self.request, f"article:{article.pk}")
        shown_in_body = [block.upc for block in product_blocks(article.body)]
        body = self.rendered_body(article)
        # Sanitised by nh3 in blog.rendering.render_body; cards are autoescaped templates.
        body = mark_safe(body)  # noqa: S308  # nosec B308 B703
        return super().get_context_data(
            body=body,
            related_products=product_cards(
                article.related_products.exclude(upc__in=shown_in_body)
            ).order_by("title"),
            is_preview=not article.is_public,
            shop_name=settings.OSCAR_SHOP_NAME,
            **kwargs,
        )

    def rendered_body(self, article):
        if not article.is_public:
            return render_body(article.body, self.request)  # previews are never cached
        key = f"blog:body:{article_body_fingerprint(article)}"
        body = cache.get(key)
        if body is None:
            body = render_body(article.body, self.request)
            cache.set(key, body, BODY_CACHE_SECONDS)
        return body
