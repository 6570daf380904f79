"""The Django admin is for superusers only: every staff role in the README's table, signed in,
gets 403 on every admin URL (index, each app, and each registered model's list, add, change,
delete and history pages), and cannot sign in at the admin's login form either; the
dashboard keeps working for each of them (tests/dashboard/test_roles.py)."""

import logging
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpResponseForbidden
from django.test.utils import override_settings
from django.urls import reverse

from consultations.models import Booking
from tests.consultations.factories import expert

ROLES = [
    "shop@example.com",
    "officer@example.com",
    "lead@example.com",
    "anna.expert@example.com",
    "editor@example.com",
]


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _admin_urls() -> list[str]:
    """Every page the admin serves for each registered model, with a real row where one exists."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        row = model._default_manager.order_by("pk").first()
        pk = row.pk if row is not None else 1
        for page in ("change", "delete", "history"):
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[pk]))
    return sorted(set(urls))


def _site_urls_with_bare_refusals():
    """The site's own URLconf (every pattern, middleware and view as served) but for the page a
    refusal renders: a bare 403 instead of Oscar's whole shop page around "Permission denied".
    Asking every admin URL for every role renders that page some 1,900 times, three quarters of
    this file's time, and tells nothing the status does not: whatever the view answers (a
    page, a redirect, 404, 500) still comes back as it is, and a refusal still comes back 403.
    The real 403 page is asked for by each role as well (the admin's index, and the two POSTs)."""
    site = import_module(settings.ROOT_URLCONF)

    class BareRefusals:
        urlpatterns = site.urlpatterns
        handler404 = getattr(site, "handler404", None)
        handler500 = getattr(site, "handler500", None)

        @staticmethod
        def handler403(request, exception=None):
            return HttpResponseForbidden()

    return BareRefusals


@pytest.mark.parametrize("email", ROLES)
def test_no_staff_role_opens_any_admin_page(client, demo, caplog, email):
    other = expert("Zed")  # a colleague's booking: what the probe read through the admin
    booking = Booking.objects.create(
        topic=other.topics.first(), starts_at="2030-01-01T00:00Z", ends_at="2030-01-01T00:30Z",
        expert=other, status="confirmed", name="Sam Customer", email="sam@example.com",
        description="slipped disc", queued_at="2030-01-01T00:00Z",
    )  # fmt: skip
    client.force_login(get_user_model().objects.get(email=email))
    # Django logs each refusal with its traceback; a few hundred of them are not worth keeping.
    caplog.set_level(logging.ERROR, logger="django.request")

    index = client.get(reverse("admin:index"))
    with override_settings(ROOT_URLCONF=_site_urls_with_bare_refusals()):
        refused = {url: client.get(url).status_code for url in _admin_urls()}
    edit = client.post(
        reverse("admin:consultations_booking_change", args=[booking.pk]), {"name": "Changed"}
    )
    delete = client.post(
        reverse("admin:consultations_booking_delete", args=[booking.pk]), {"post": "yes"}
    )

    assert index.status_code == 403
    assert {url: status for url, status in refused.items() if status != 403} == {}
    assert edit.status_code == delete.status_code == 403
    booking.refresh_from_db()
    assert booking.name == "Sam Customer"
    assert client.get(reverse("dashboard:index")).status_code == 200


@pytest.mark.parametrize("email", ROLES)
def test_staff_cannot_sign_in_at_the_admin_login_and_are_sent_to_the_dashboard(client, demo, email):
    response = client.post(
        reverse("admin:login"),
        {"username": email, "password": settings.DEMO_STAFF_PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 200
    assert "Staff sign in to the dashboard at /dashboard/login/" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_sent_to_the_admin_login(client, demo):
    response = client.get(reverse("admin:consultations_booking_changelist"))

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_superuser_opens_the_admin(client, demo):
    client.force_login(get_user_model().objects.get(email=settings.DEMO_ADMIN_EMAIL))

    lists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]

    assert client.get(reverse("admin:index")).status_code == 200
    assert {url: client.get(url).status_code for url in lists} == dict.fromkeys(lists, 200)


@pytest.mark.parametrize(
    "role, permissions",
    [
        # auth.view_user: the dashboard's customer page (tests/dashboard/test_customer_page.py)
        ("Health-fund officer", {"insurance.handle_enquiry", "insurance.change_coveragerule",
                                 "auth.view_user"}),
        (
            "Consultation expert",
            {
                "consultations.view_booking", "consultations.change_booking",
                "consultations.add_weeklyavailability", "consultations.change_weeklyavailability",
                "consultations.delete_weeklyavailability", "consultations.add_timeoff",
                "consultations.delete_timeoff",
            },
        ),
        ("Editor", {"blog.change_article"} | {f"flatpages.{a}_flatpage" for a in
                                                ("view", "add", "change", "delete")}),
    ],
)  # fmt: skip
def test_each_role_holds_only_the_permissions_its_dashboard_part_asks_for(demo, role, permissions):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=role)

    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

    assert held == permissions
