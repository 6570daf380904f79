"""Public pages that span the departments: the home page (the featured support and the
latest articles) and robots.txt."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from blog.selectors import latest_articles
from shop.selectors import featured_product


class HomeView(TemplateView):
    template_name = "sitewide/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured_product"] = featured_product()
        context["latest_articles"] = latest_articles()
        return context


def robots_txt(request):
    """Everything public may be crawled; checkout, accounts and the staff areas may not."""
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in DISALLOWED),
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


DISALLOWED = ["/basket/", "/checkout/", "/accounts/", "/dashboard/", "/admin/", "/search/"]
