"""Each staff role, logged in with the demo account the README lists, sees and opens only its
own part of the dashboard; every other part answers 403 and is left out of the navigation."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from oscar.apps.dashboard.menu import get_nodes

# A few pages (and the export) of each part; every one must refuse the other roles.
SECTIONS = {
    "shop": [
        "dashboard:catalogue-product-list",
        "dashboard:catalogue-category-list",
        "dashboard:stock-alert-list",
        "dashboard:order-list",
        "dashboard:offer-list",
        "dashboard:voucher-list",
        "dashboard:reports-index",
        "dashboard:shipping-method-list",
        "dashboard:comms-list",
    ],
    "health funds": [
        "insurance-dashboard:enquiry-list",
        "insurance-dashboard:coverage-list",
        "insurance-dashboard:coverage-create",
    ],
    "consultations": [
        "consultations-dashboard:board",
        "consultations-dashboard:calendar",
        "consultations-dashboard:availability",
    ],
    "articles": ["blog-dashboard:article-list", "blog-dashboard:article-create"],
}
# The navigation heading each part adds.
HEADINGS = {
    "shop": "Catalogue",
    "health funds": "Health funds",
    "consultations": "Consultations",
    "articles": "Articles",
}
ROLES = {
    "shop@example.com": {"shop"},
    "officer@example.com": {"health funds"},
    "lead@example.com": {"consultations"},
    "anna.expert@example.com": {"consultations"},
    "editor@example.com": {"articles"},
}


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _log_in(client, email, password=None):
    response = client.post(
        reverse("dashboard:login"),
        {"username": email, "password": password or settings.DEMO_STAFF_PASSWORD},
    )
    assert response.status_code == 302, f"{email} could not log in"
    return get_user_model().objects.get(email=email)


def _nav_urls(user) -> list[str]:
    return [child.url for node in get_nodes(user) for child in node.children] + [
        node.url for node in get_nodes(user) if not node.children and node.url_name
    ]


@pytest.mark.parametrize("email", ROLES)
def test_each_demo_role_opens_every_page_its_navigation_offers(client, demo, email):
    user = _log_in(client, email)

    urls = _nav_urls(user)
    front = client.get(reverse("dashboard:index"))

    assert front.status_code == 200
    assert urls, f"{email} has nothing in the navigation"
    for url in urls:
        assert client.get(url).status_code == 200, url
    labels = {node.label for node in get_nodes(user)}
    for part, heading in HEADINGS.items():
        assert (heading in labels) == (part in ROLES[email]), (email, heading)


@pytest.mark.parametrize("email", ROLES)
def test_each_role_gets_403_on_every_other_part(client, demo, email):
    _log_in(client, email)

    for part, url_names in SECTIONS.items():
        expected = 200 if part in ROLES[email] else 403
        for url_name in url_names:
            assert client.get(reverse(url_name)).status_code == expected, (email, url_name)
    csv = client.get(reverse("insurance-dashboard:enquiry-list"), {"format": "csv"})
    assert csv.status_code == (200 if "health funds" in ROLES[email] else 403)


def test_the_superuser_sees_every_part(client, demo, settings):
    _log_in(client, settings.DEMO_ADMIN_EMAIL, settings.DEMO_ADMIN_PASSWORD)
    user = get_user_model().objects.get(email=settings.DEMO_ADMIN_EMAIL)

    labels = {node.label for node in get_nodes(user)}

    assert set(HEADINGS.values()) <= labels
    for url_names in SECTIONS.values():
        for url_name in url_names:
            assert client.get(reverse(url_name)).status_code == 200, url_name


def test_staff_without_a_role_see_an_empty_dashboard_and_403_everywhere(client, demo):
    get_user_model().objects.create_user(
        "newstaff", "new@example.com", "a-long-password-1", is_staff=True
    )
    _log_in(client, "new@example.com", "a-long-password-1")

    front = client.get(reverse("dashboard:index"))

    assert front.status_code == 200 and "Your Store Statistics" not in front.content.decode()
    for url_names in SECTIONS.values():
        for url_name in url_names:
            assert client.get(reverse(url_name)).status_code == 403, url_name


def test_anonymous_visitors_are_sent_to_the_dashboard_login(client, demo):
    for url_names in SECTIONS.values():
        for url_name in url_names:
            response = client.get(reverse(url_name))
            assert response.status_code == 302 and "login" in response["Location"], url_name
