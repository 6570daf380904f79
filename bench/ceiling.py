"""The ceiling: the most a Django response can do through the same gunicorn on this machine.
Minimal settings, no middleware, one view answering "ok"; no database, no templates.

    .venv/bin/gunicorn --chdir bench --workers 2 ceiling:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-not-a-secret",  # noqa: S106
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
)


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("", ok)]

application = get_wsgi_application()
