"""The whole-page cache for anonymous visitors (core/pagecache.py): pages come from it, and a
change to a price, stock, product or article shows at once; no visitor ever sees another's
basket, history, messages or account.

The data is committed (as in production, where every request commits): on PostgreSQL the
generation triggers fire at commit."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from blog.models import Article
from core.pagecache_triggers import page_tables, tables_with_trigger
from shop import analytics
from tests.shop.checkout_steps import add_to_basket

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

ARTICLE = "/blog/causes-of-back-spasms-and-cramps/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def demo(committed_db, load_demo):
    load_demo()


@pytest.fixture
def lumbotrain(demo):
    return Product.objects.get(upc="LUMBOTRAIN")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def without_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]+"', "", html)


def test_a_second_visitor_gets_the_same_page_from_the_cache_with_one_query(lumbotrain):
    urls = ["/", "/catalogue/", lumbotrain.get_absolute_url(), ARTICLE, "/blog/"]
    for url in [*urls, "/search/?q=back+support"]:
        first = page(Client(), url)

        with CaptureQueriesContext(connection) as queries:
            second = page(Client(), url)

        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit"), url
        assert len(queries) == 1, url  # the page generation
        assert without_tokens(second.content.decode()) == without_tokens(first.content.decode())


def test_a_price_change_made_by_update_shows_at_once(lumbotrain):
    url = lumbotrain.get_absolute_url()
    page(Client(), url)
    page(Client(), "/catalogue/")
    assert "$350.00" not in page(Client(), url).content.decode()

    # an UPDATE, as bulk price imports do: no signal is sent
    StockRecord.objects.filter(product__parent=lumbotrain).update(price=350)

    assert "$350.00" in page(Client(), url).content.decode()
    assert "$350.00" in page(Client(), "/catalogue/").content.decode()


def test_selling_out_shows_at_once(lumbotrain):
    url = lumbotrain.get_absolute_url()
    assert "In stock" in page(Client(), url).content.decode()

    StockRecord.objects.filter(product__parent=lumbotrain).update(num_in_stock=0)

    assert "In stock" not in page(Client(), url).content.decode()


def test_a_hidden_product_is_gone_at_once(lumbotrain):
    url = lumbotrain.get_absolute_url()
    page(Client(), url)
    page(Client(), url)

    Product.objects.filter(pk=lumbotrain.pk).update(is_public=False)

    assert Client().get(url).status_code == 404


def test_an_edited_article_shows_at_once_on_its_page_and_the_home_page(demo):
    page(Client(), ARTICLE)
    page(Client(), "/")
    article = Article.objects.get(slug="causes-of-back-spasms-and-cramps")

    article.title = "Why does my back cramp?"
    article.save()

    assert "Why does my back cramp?" in page(Client(), ARTICLE).content.decode()
    assert "Why does my back cramp?" in page(Client(), "/").content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(demo):
    soon = timezone.now() + timedelta(seconds=1)
    Article.objects.create(
        title="Sleeping positions for a sore back",
        slug="sleeping-positions",
        body="Lie on your side.",
        status=Article.Status.PUBLISHED,
        published_at=soon,
    )
    assert "Sleeping positions" not in page(Client(), "/blog/").content.decode()

    while timezone.now() <= soon:
        pass

    assert "Sleeping positions" in page(Client(), "/blog/").content.decode()


def test_a_visitors_basket_is_never_shown_to_another(lumbotrain):
    url = lumbotrain.get_absolute_url()
    shopper, other = Client(), Client()
    page(other, url)  # stored while nobody had a basket
    add_to_basket(shopper, "LT-3-TIT")
    shopper.cookies.pop("messages", None)  # "added to your basket" was shown on the way

    mine = page(shopper, url)
    theirs = page(other, url)

    assert (mine["X-Page-Cache"], theirs["X-Page-Cache"]) == ("hit", "hit")
    assert "LumboTrain" in mini_basket(mine)
    assert "Your basket is empty" in mini_basket(theirs)
    stored_by_shopper = page(shopper, "/catalogue/")  # the shopper renders it first
    assert stored_by_shopper["X-Page-Cache"] == "miss"
    assert "Your basket is empty" in mini_basket(page(Client(), "/catalogue/"))


def test_a_shoppers_mini_basket_follows_their_basket_and_prices_at_once(lumbotrain):
    shopper = Client()
    url = lumbotrain.get_absolute_url()
    add_to_basket(shopper, "LT-3-TIT")
    shopper.cookies.pop("messages", None)
    assert "$289.95" in mini_basket(page(shopper, url))
    assert "$289.95" in mini_basket(page(shopper, url))  # the second from the cache

    add_to_basket(shopper, "LT-3-TIT")
    shopper.cookies.pop("messages", None)
    assert "$579.90" in mini_basket(page(shopper, url))

    StockRecord.objects.filter(product__upc="LT-3-TIT").update(price=100)
    assert "$200.00" in mini_basket(page(shopper, url))


def mini_basket(response) -> str:
    html = response.content.decode()
    return html[html.index("<!--pagehole:mini_basket-->") : html.index("<!--/pagehole-->")]


def test_recently_viewed_products_are_each_visitors_own(demo):
    visitor = Client()
    knee = Product.objects.get(upc="GENUTRAIN")
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")
    page(Client(), lumbotrain.get_absolute_url())  # stored with no history
    page(visitor, knee.get_absolute_url())

    mine = page(visitor, lumbotrain.get_absolute_url())

    assert mine["X-Page-Cache"] == "hit"
    assert "Products you recently viewed" in mine.content.decode()
    assert knee.title in mine.content.decode()
    assert (
        "Products you recently viewed"
        not in page(Client(), lumbotrain.get_absolute_url()).content.decode()
    )


def test_a_form_on_a_cached_page_posts_with_the_visitors_own_token(lumbotrain):
    page(Client(), "/catalogue/")
    visitor = Client(enforce_csrf_checks=True)
    cached = page(visitor, "/catalogue/")
    assert cached["X-Page-Cache"] == "hit"
    product = Product.objects.filter(parent=None, structure="standalone").first()
    token = TOKEN.search(cached.content.decode())[1]

    data = {"csrfmiddlewaretoken": token, "quantity": 1}

    response = visitor.post(f"/basket/add/{product.pk}/", data)

    assert response.status_code == 302
    assert visitor.cookies["csrftoken"].value != Client().get("/catalogue/").cookies.get(
        "csrftoken", "x"
    )


def test_signed_in_customers_and_staff_never_get_a_cached_page(lumbotrain, django_user_model):
    page(Client(), "/catalogue/")
    user = django_user_model.objects.create_user("mia", "mia@example.com", "a long password 1")
    customer = Client()
    customer.force_login(user)

    response = page(customer, "/catalogue/")

    assert "X-Page-Cache" not in response
    assert "Logout" in response.content.decode()
    assert "Logout" not in page(Client(), "/catalogue/").content.decode()


def test_a_message_waiting_for_a_visitor_is_shown_not_cached_away(lumbotrain):
    visitor = Client()
    page(Client(), lumbotrain.get_absolute_url())

    add_to_basket(visitor, "LT-3-TIT")
    response = page(visitor, lumbotrain.get_absolute_url())

    assert "has been added to your basket" in response.content.decode()
    assert "has been added" not in page(Client(), lumbotrain.get_absolute_url()).content.decode()


def test_a_visitor_with_a_session_but_nothing_personal_in_it_gets_cached_pages(lumbotrain):
    visitor = Client()
    page(Client(), lumbotrain.get_absolute_url())
    page(visitor, "/consultations/book/?time_zone=Australia/Perth")  # kept in the session
    assert "sessionid" in visitor.cookies

    response = page(visitor, lumbotrain.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"


def test_product_views_are_counted_for_cached_pages_too(lumbotrain, redis_conn):
    redis_conn.delete(analytics.PRODUCT_VIEWS_KEY)
    for _ in range(3):
        page(Client(), lumbotrain.get_absolute_url())

    assert int(redis_conn.hget(analytics.PRODUCT_VIEWS_KEY, lumbotrain.pk)) == 3
    redis_conn.delete(analytics.PRODUCT_VIEWS_KEY)


@pytest.mark.django_db
def test_every_table_the_public_pages_show_bumps_the_generation():
    assert set(page_tables()) <= tables_with_trigger()
