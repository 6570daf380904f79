import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from oscar import views as oscar_views

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


def server_error(request):
    """handler500: a database that cannot be reached (PostgreSQL restarting, connections
    dropped) answers 503 with a page that says so and to try again, not "something went
    terribly wrong"; Django has logged the exception already. Rendered without the request's
    context processors, which would read the session and the user from that database. The
    driver's own errors count too: psycopg's escapes Django's wrapper when a server-side
    cursor (a queryset's .iterator(), as in a form's choices) is closed on a dead connection."""
    driver = connection.Database
    unreachable = (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    if isinstance(sys.exc_info()[1], unreachable):
        page = render_to_string("oscar/503.html", {"path": request.path})
        return HttpResponse(page, status=503, headers={"Retry-After": "30"})
    return oscar_views.handler500(request)
