"""Every page sends a Content-Security-Policy that lets its own scripts run and nothing else.

The policy (config/settings.py, "Security headers, CSP") allows scripts from our origin and
inline scripts carrying the response's nonce. These tests read the real HTML of each main
page type and check every <script> against the header that came with it: a script the
policy would refuse is one a customer's browser would not run. (The browser tests load the
same pages in Chromium, where a refused script is a console error and fails them.)
"""

from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from oscar.core.loading import get_model

from tests.shop.checkout_steps import add_to_basket, checkout_as_guest, place_order

Product = get_model("catalogue", "Product")


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _nonce(policy) -> str | None:
    """The nonce the policy allows, if any (a page without inline scripts needs none)."""
    nonces = [s for s in policy["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) <= 1, policy["script-src"]
    return nonces[0].removeprefix("'nonce-").removesuffix("'") if nonces else None


def _runs(script_attrs) -> bool:
    """A script the browser executes; a data block such as the article's JSON-LD
    (type="application/ld+json") is never run, so the policy does not apply to it."""
    kind = script_attrs.get("type", "").strip().lower()
    return kind in ("", "module", "text/javascript", "application/javascript")


def _refused_scripts(response) -> list[str]:
    """The <script> elements of the page that its own policy would refuse to run."""
    nonce = _nonce(_policy(response))
    refused = []
    for tag, attrs in _tags(response.content.decode()):
        if tag != "script" or not _runs(attrs):
            continue
        if "src" in attrs:
            url = urlsplit(attrs["src"])
            if url.scheme or url.netloc:  # our scripts are all served by us, from /static/
                refused.append(f"<script src={attrs['src']!r}> is not from our origin")
        elif nonce is None or attrs.get("nonce") != nonce:
            refused.append(f"inline <script> without this response's nonce: {attrs}")
    return refused


def _inline_handlers(response) -> list[str]:
    """on*="..." attributes and javascript: URLs: code the public policy refuses to run."""
    found = []
    for tag, attrs in _tags(response.content.decode()):
        for name, value in attrs.items():
            if name.startswith("on") or value.strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
    return found


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def lumbotrain():
    return Product.objects.get(title="LumboTrain Back Support", structure="parent")


def _public_pages(client, lumbotrain) -> dict[str, str]:
    in_stock = lumbotrain.children.filter(stockrecords__num_in_stock__gt=0).first()
    add_to_basket(client, in_stock.upc)  # the basket page shows its lines, and the checkout opens
    return {
        "home": "/",
        "article": "/blog/causes-of-back-spasms-and-cramps/",
        "blog": "/blog/",
        "catalogue": "/catalogue/",
        "product": lumbotrain.get_absolute_url(),
        "search": "/search/?q=lumbotrain",
        "basket": "/basket/",
        "checkout": "/checkout/",
        "enquiry form": f"/insurance/enquiry/?product={lumbotrain.pk}",
        "booking form": f"/consultations/book/?product={lumbotrain.pk}",
        "customer login": "/accounts/login/",
        "dashboard login": "/dashboard/login/",
    }


def test_public_pages_run_only_their_own_scripts(client, demo, lumbotrain):
    for name, url in _public_pages(client, lumbotrain).items():
        response = client.get(url)
        assert response.status_code == 200, name
        policy = _policy(response)

        assert policy["script-src"][0] == "'self'", name
        assert "'unsafe-inline'" not in policy["script-src"], name
        assert "'unsafe-eval'" not in policy["script-src"], name
        assert "script-src-attr" not in policy, name
        assert policy["object-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["base-uri"] == ["'self'"], name
        assert _refused_scripts(response) == [], name
        assert _inline_handlers(response) == [], name
        html = response.content.decode()
        assert "/static/js/page-actions" in html, "print and back buttons work without onclick"


def test_the_order_confirmation_prints_without_inline_handlers(client, demo, lumbotrain):
    in_stock = lumbotrain.children.filter(stockrecords__num_in_stock__gt=0).first()
    add_to_basket(client, in_stock.upc)
    checkout_as_guest(client)
    assert place_order(client).status_code == 302

    response = client.get("/checkout/thank-you/")

    assert response.status_code == 200
    assert 'data-action="print"' in response.content.decode()
    assert _refused_scripts(response) == []
    assert _inline_handlers(response) == []


def test_each_response_has_its_own_nonce_even_when_the_page_is_the_same(client, db):
    first, second = client.get("/"), client.get("/")

    assert None != _nonce(_policy(first)) != _nonce(_policy(second))  # noqa: E711
    assert _refused_scripts(first) == []
    assert _refused_scripts(second) == [], "a stored copy of the page must get the new nonce"


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="root", email="root@example.com", password="a-long-password-1"
    )


def test_dashboard_pages_need_the_nonce_for_scripts_but_keep_oscars_handlers(client, superuser):
    client.force_login(superuser)

    for name in [
        "dashboard:index",
        "dashboard:catalogue-product-list",
        "dashboard:order-list",
        "dashboard:page-create",  # TinyMCE
    ]:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert policy["script-src-attr"] == ["'unsafe-inline'"], url  # Oscar's onclick="..."
        assert policy["frame-ancestors"] == ["'none'"], url
        assert _refused_scripts(response) == [], url


def test_the_dashboard_login_and_the_admin_get_the_strict_policy(client, superuser):
    assert "script-src-attr" not in _policy(client.get("/dashboard/login/"))
    client.force_login(superuser)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "script-src-attr" not in _policy(response)
    assert _refused_scripts(response) == []
