"""Site-wide answers that belong to no department: /healthz and the 503 page."""

import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from oscar import views as oscar_views

from core.health import health_report


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
