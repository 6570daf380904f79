"""The blog: the client's article as structured content that leads to the support."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from blog.models import Article, Category
from tests.factories import ArticleFactory

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

SLUG = "causes-of-back-spasms-and-cramps"
URL = f"/blog/{SLUG}/"


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _article(**kwargs):
    defaults = {
        "title": "A test article",
        "slug": "a-test-article",
        "standfirst": "Standfirst.",
        "body": "Body text.",
        "status": Article.Status.PUBLISHED,
    }
    return Article.objects.create(**{**defaults, **kwargs})


def test_the_article_reads_as_structured_content(client, demo):
    html = client.get(URL).content.decode()

    assert "<h1>Causes of back spasms and cramps?</h1>" in html
    assert "Eighty percent of the adult population" in html  # the standfirst
    causes = re.findall(r"<h3>(\d)\. ([^<]+)</h3>", html)
    assert causes == [
        ("1", "Injury"),
        ("2", "Strain or overuse"),
        ("3", "Lack of activity"),
        ("4", "Poor posture"),
        ("5", "Disc issues"),
        ("6", "Stress"),
    ]
    assert "<h2>Treatment for back spasms and cramps</h2>" in html
    for heading in ("Strengthening", "Wearing a back support", "Stretching"):
        assert f"<h3>{heading}</h3>" in html
    assert "<h3>When to see a doctor or physiotherapist</h3>" in html
    assert "relieve the pain" in html and "relive" not in html
    assert "inflame the area.]" not in html
    assert 'href="tel:1300668466"' in html
    assert "min read" in html and "Back to blog" in html


def test_the_article_shows_a_live_card_for_the_lumbotrain(client, demo):
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")

    html = client.get(URL).content.decode()

    cards = re.findall(r'<aside class="article-product card".*?</aside>', html, re.S)
    assert len(cards) == 2
    card = cards[0]
    assert f'href="{lumbotrain.get_absolute_url()}"' in card
    assert "LumboTrain Back Support" in card
    assert "$289.95" in card and "incl. GST" in card
    assert "<img" in card and 'alt="LumboTrain Back Support in titanium, front view"' in card


def test_the_article_links_to_the_recovery_article(client, demo):
    html = client.get(URL).content.decode()

    link = '<a href="/blog/5-tips-for-post-workout-muscle-recovery/">Try these 5 tips'
    assert link in html
    assert client.get("/blog/5-tips-for-post-workout-muscle-recovery/").status_code == 200


def test_links_to_pages_not_built_yet_are_text_not_broken_links(client, demo):
    html = client.get(URL).content.decode()

    for href in re.findall(r'href="(/[^"]*)"', html):
        assert client.get(href).status_code in (200, 302), href
    assert "Bauerfeind Private Health Insurance Inquiry" in html
    assert "Book Video Call" in html


def test_card_becomes_a_plain_link_when_the_product_cannot_be_bought(client, demo):
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")
    StockRecord.objects.filter(product__parent=lumbotrain).delete()

    html = client.get(URL).content.decode()

    assert 'class="article-product card"' not in html
    assert f'<a href="{lumbotrain.get_absolute_url()}">Bauerfeind back brace</a>' in html


def test_card_becomes_a_search_link_when_the_product_is_gone(client, demo):
    Product.objects.filter(upc="LUMBOTRAIN").delete()

    response = client.get(URL)

    assert response.status_code == 200
    assert '<a href="/search/?q=Bauerfeind back brace">' in response.content.decode()


def test_an_edit_to_the_article_or_its_product_shows_at_once(client, demo):
    client.get(URL)  # cached now
    article = Article.objects.get(slug=SLUG)
    article.body = article.body.replace("### 1. Injury", "### 1. Injuries")
    article.save()
    assert "1. Injuries" in client.get(URL).content.decode()

    StockRecord.objects.filter(product__upc="LT-1-BLK").update(price=D("199.95"))
    assert "$199.95" in client.get(URL).content.decode()  # the cheapest size, "from" price


def test_cached_article_page_needs_fewer_queries(client, demo, page_cache_off):
    with CaptureQueriesContext(connection) as cold:
        client.get(URL)
    cold_count = len(cold)
    with CaptureQueriesContext(connection) as warm:
        client.get(URL)
    warm_count = len(warm)

    assert warm_count < cold_count


def test_a_scheduled_article_goes_public_the_second_the_clock_reaches_its_time(
    client, db, clock, settings
):
    # given an article scheduled for 9:00 on Monday 5 April 2027, Sydney time (the Monday
    # after the clocks went back), and a reader a second before
    sydney = ZoneInfo("Australia/Sydney")
    clock.set("2027-04-05 08:59:59", "Australia/Sydney")
    article = ArticleFactory(
        title="Sleeping with a sore back", published_at=datetime(2027, 4, 5, 9, tzinfo=sydney)
    )
    pages = ["/blog/", "/", "/blog/feed/"]

    # when they look at 8:59:59, twice (the second list comes from the page cache, which
    # keeps it no longer than until 9:00), and again at 9:00:00
    before = [client.get(url) for url in [*pages, *pages]]
    listed_before = client.get(article.get_absolute_url())
    clock.move(seconds=1)
    after = [client.get(url) for url in pages]
    listed_after = client.get(article.get_absolute_url())

    # then it is nowhere a second early, and everywhere on the second
    assert listed_before.status_code == 404
    assert not [r.request["PATH_INFO"] for r in before if article.title in r.content.decode()]
    assert before[3].get("X-Page-Cache") == ("hit" if settings.PAGE_CACHE_SECONDS else None)
    assert listed_after.status_code == 200 and "Preview" not in listed_after.content.decode()
    assert [r.request["PATH_INFO"] for r in after if article.title in r.content.decode()] == pages


@pytest.mark.parametrize(
    ("status", "published_in"),
    [(Article.Status.DRAFT, None), (Article.Status.PUBLISHED, timedelta(days=1))],
)
def test_drafts_and_future_articles_are_404_to_the_public_and_a_preview_for_staff(
    client, db, admin_user, status, published_in
):
    published_at = timezone.now() + published_in if published_in else None
    article = _article(status=status, published_at=published_at)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert article not in Article.objects.published()
    assert "a-test-article" not in client.get("/blog/").content.decode()

    client.force_login(admin_user)
    preview = client.get(article.get_absolute_url())
    assert preview.status_code == 200
    assert "Preview: this article is" in preview.content.decode()


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        "[click me](javascript:alert(1))",
        '<a href="javascript:alert(1)">click me</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p style="background:url(javascript:alert(1))" onclick="alert(1)">hi</p>',
    ],
)
def test_a_malicious_body_is_neutralised(client, db, attack):
    article = _article(body=f"Before.\n\n{attack}\n\nAfter.")

    html = client.get(article.get_absolute_url()).content.decode()
    body = html.split('<div class="article-body">')[1].split("</div>")[0]

    assert "<script" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body and "<iframe" not in body
    assert "Before." in body and "After." in body


def test_the_list_is_newest_first_and_a_page_past_the_end_is_404(client, demo):
    html = client.get("/blog/").content.decode()

    assert html.index("5 tips for post-workout") < html.index("Causes of back spasms")
    assert client.get("/blog/", {"page": "99"}).status_code == 404
    assert client.get("/blog/", {"page": "abc"}).status_code == 404


def test_unknown_article_and_category_answer_the_sites_404_page(client, demo):
    for url in ("/blog/no-such-article/", "/blog/category/no-such-topic/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Bauerfeind Australia" in response.content.decode()


def test_category_page_lists_its_articles(client, demo):
    category = Category.objects.get(slug="back-pain")

    html = client.get(category.get_absolute_url()).content.decode()

    assert "Causes of back spasms" in html and "5 tips for post-workout" not in html


def test_article_page_has_canonical_social_and_json_ld_meta(client, demo):
    html = client.get(URL).content.decode()

    assert f'<link rel="canonical" href="http://testserver{URL}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["@type"] == "Article"
    assert data["headline"] == "Causes of back spasms and cramps?"
    assert data["datePublished"].startswith("2026-11-02")


def test_the_feed_is_rss_2_with_the_articles(client, demo):
    response = client.get("/blog/feed/")

    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert [item.findtext("title") for item in items] == [
        "5 tips for post-workout muscle recovery",
        "Causes of back spasms and cramps?",
    ]
    assert all(item.findtext("link") and item.findtext("pubDate") for item in items)


def test_sitemap_lists_articles_and_products_and_robots_points_to_it(client, demo):
    sitemap = client.get("/sitemap.xml").content.decode()
    robots = client.get("/robots.txt").content.decode()

    assert f"{URL}</loc>" in sitemap
    assert Product.objects.get(upc="LUMBOTRAIN").get_absolute_url() in sitemap
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /checkout/" in robots


def test_home_page_shows_the_latest_articles(client, demo):
    html = client.get("/").content.decode()

    assert "From the blog" in html and f'href="{URL}"' in html
    assert re.search(r'<a class="nav-link" href="/blog/">\s*Blog\s*</a>', html)


def test_the_product_page_lists_the_articles_that_mention_it(client, demo):
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")

    html = client.get(lumbotrain.get_absolute_url()).content.decode()

    assert "Read more" in html
    assert f'href="{URL}"' in html
    assert 'href="/blog/5-tips-for-post-workout-muscle-recovery/"' in html


def test_staff_write_preview_and_publish_in_the_admin(client, db, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/blog/article/add/",
        {
            "title": "Sitting well at work",
            "slug": "sitting-well-at-work",
            "standfirst": "How to set up your desk.",
            "body": "## Your chair\n\nAdjust it.",
            "status": "draft",
            "author_name": "",
            "seo_title": "",
            "seo_description": "",
            "featured_image_alt": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="sitting-well-at-work")
    assert client.get(article.get_absolute_url()).status_code == 200  # staff preview

    client.post(
        "/admin/blog/article/",
        {"action": "publish", "_selected_action": [article.pk]},
    )
    client.logout()

    assert client.get(article.get_absolute_url()).status_code == 200
    assert "<h2>Your chair</h2>" in client.get(article.get_absolute_url()).content.decode()


def test_related_supports_not_already_in_the_body_are_listed_under_the_article(client, demo):
    article = Article.objects.get(slug=SLUG)
    other = Product.objects.browsable().exclude(upc="LUMBOTRAIN").first()
    article.related_products.add(other)

    page = client.get(URL).content.decode()
    related = page[page.index("Supports in this article") :]

    assert other.get_title() in related
    assert "LumboTrain" not in related  # already shown as a card in the body
