from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from blog.selectors import latest_articles
from core.health import health_report
from shop.selectors import featured_product


class HomeView(TemplateView):
    template_name = "core/home.html"

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


@never_cache
def healthz(request):
    """JSON for load balancers and people: each part `ok` or what is wrong; 503 unless all ok."""
    report = health_report()
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )
