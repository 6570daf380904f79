"""What each article leads to (core/funnel.py): a visit that begins on an article is followed
through a product view, a fund check, a call and an order, each counted once, for that article,
and shown to the editor and the shop manager; nothing about the visitor is kept."""

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from oscar.core.loading import get_model

from blog.models import Article
from core import funnel
from core.models import FunnelDay
from tests.factories import BookingFormFactory
from tests.shop.checkout_steps import add_to_basket, checkout_as_guest, place_order

Product = get_model("catalogue", "Product")
HealthFund = get_model("insurance", "HealthFund")


@pytest.fixture
def demo(db, load_demo, redis_conn):
    load_demo()
    redis_conn.delete(funnel.funnel.key)
    yield
    redis_conn.delete(funnel.funnel.key)


def _article(n=0):
    return Article.objects.published().order_by("pk")[n]


def _enquiry(client, product):
    response = client.post(
        "/insurance/enquiry/",
        {
            "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "",
            "state": "NSW", "postcode": "2000", "fund": HealthFund.objects.get(slug="bupa").pk,
            "fund_other_name": "", "membership_number": "", "cover_level": "top",
            "product": product.pk, "size": "", "referral": "none", "referral_details": "",
            "question": "Will my fund pay?", "contact_preference": "email", "consent": "on",
            "website": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]


def _figures():
    funnel.flush()
    return funnel.figures(prefix="article:")


def test_a_visit_that_begins_on_an_article_counts_each_step_once_for_it(client, demo):
    article, other = _article(0), _article(1)
    product = Product.objects.get(upc="LUMBOTRAIN")

    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())  # read again (from the page cache): one reader
    client.get(other.get_absolute_url())  # another article later: the visit stays the first's
    client.get(product.get_absolute_url())
    client.get(product.get_absolute_url())
    _enquiry(client, product)
    assert client.post("/consultations/book/", BookingFormFactory()).status_code == 302
    add_to_basket(client, "LT-3-TIT")
    checkout_as_guest(client)
    assert place_order(client).status_code == 302

    counted = _figures()
    assert counted[f"article:{article.pk}"] == {
        "read": 1, "product": 1, "fund_check": 1, "call": 1, "order": 1,
    }  # fmt: skip
    assert f"article:{other.pk}" not in counted


def test_a_new_visit_counts_again_and_a_visit_that_began_elsewhere_counts_nothing(client, demo):
    article = _article()
    product = Product.objects.get(upc="LUMBOTRAIN")

    client.get(product.get_absolute_url())  # began on the product page: no article's
    client.get(article.get_absolute_url())
    second_visit = Client()
    second_visit.get(article.get_absolute_url())
    second_visit.get(product.get_absolute_url())

    assert _figures()[f"article:{article.pk}"] == {
        "read": 2, "product": 1, "fund_check": 0, "call": 0, "order": 0,
    }  # fmt: skip


def test_a_visit_ends_after_its_hours_and_a_forged_trail_counts_nothing(
    client, demo, clock, settings
):
    article, other = _article(0), _article(1)
    product = Product.objects.get(upc="LUMBOTRAIN")
    clock.set("2027-03-01 09:00")
    client.get(article.get_absolute_url())

    clock.move(hours=settings.FUNNEL_VISIT_HOURS, seconds=1)
    client.get(product.get_absolute_url())  # the visit is over: not counted for the article
    client.get(other.get_absolute_url())  # a new visit begins
    forged = Client()
    forged.cookies[funnel.COOKIE] = "article:1:read"
    forged.get(product.get_absolute_url())

    counted = _figures()
    assert counted[f"article:{article.pk}"]["product"] == 0
    assert counted[f"article:{other.pk}"]["read"] == 1
    assert sum(sum(steps.values()) for steps in counted.values()) == 2


def test_the_trail_cookie_holds_the_article_and_steps_only_and_staff_are_not_counted(
    client, demo, admin_client
):
    article = _article()
    response = client.get(article.get_absolute_url())
    cookie = response.cookies[funnel.COOKIE]
    landing, started, steps = signing.loads(cookie.value, salt=funnel.SALT)
    assert (landing, steps) == (f"article:{article.pk}", "read")
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["expires"]

    admin_client.get(article.get_absolute_url())
    assert funnel.COOKIE not in admin_client.cookies
    assert _figures()[f"article:{article.pk}"]["read"] == 1


def test_counts_made_while_redis_is_down_are_kept_for_the_next_push(client, demo, monkeypatch):
    import redis

    from core import tallies

    article = _article()
    monkeypatch.setattr(
        tallies, "redis_client", lambda timeout: redis.Redis(port=1, socket_connect_timeout=0.2)
    )
    assert client.get(article.get_absolute_url()).status_code == 200
    monkeypatch.undo()
    funnel.funnel.push()
    assert _figures()[f"article:{article.pk}"]["read"] == 1


def test_the_editor_and_the_shop_manager_see_what_each_article_led_to(client, demo):
    article = _article()
    FunnelDay.objects.create(
        day="2000-01-01", landing=f"article:{article.pk}", step="order", count=9
    )
    visitor = Client()
    visitor.get(article.get_absolute_url())
    _figures()

    User = get_user_model()
    for email, path in [
        ("editor@example.com", "/dashboard/articles/"),
        ("editor@example.com", "/dashboard/"),
        ("shop@example.com", "/dashboard/"),
    ]:
        client.force_login(User.objects.get(email=email))
        page = client.get(path).content.decode()
        assert "What each article led to, last 30 days" in page, (email, path)
        assert f'<th scope="row">{article.title}</th><td>1</td><td>0</td>' in page
        assert "<td>9</td>" not in page  # a count from long ago is not in the 30 days

    for email in ("officer@example.com", "lead@example.com"):
        client.force_login(User.objects.get(email=email))
        assert "What each article led to" not in client.get("/dashboard/").content.decode()
