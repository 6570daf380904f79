"""The editors' articles in the dashboard: write with a preview that shows product cards as the
public will see them, then publish, schedule or unpublish, and the blog follows at once."""

import io
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from oscar.test.factories import create_product, create_product_image
from PIL import Image

from blog.models import Article

LIST = "/dashboard/articles/"
CREATE = "/dashboard/articles/new/"
PREVIEW = "/dashboard/articles/preview/"
CARD = re.compile(r'<aside class="article-product card".*?</aside>', re.S)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends


def _staff(username, role):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", "pw-12345-x", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(client, db):
    user = _staff("edith", "Editor")
    client.force_login(user)
    return user


@pytest.fixture
def public(db):
    """A reader who is not signed in (staff see drafts on the public pages, as previews)."""
    return Client()


@pytest.fixture
def lumbotrain(db):
    product = create_product(
        title="LumboTrain Back Support", upc="LUMBOTRAIN", price=D("289.95"), num_in_stock=5
    )
    create_product_image(product=product, caption="LumboTrain, front view")
    return product


def _form(**fields):
    data = {
        "title": "Sitting all day?",
        "slug": "",
        "standfirst": "Why long days at a desk hurt your back.",
        "body": "Stand up every half hour.",
        "featured_image_alt": "",
        "seo_title": "",
        "seo_description": "",
        "publishing": "draft",
        "publish_at": "",
    }
    return {**data, **fields}


def _update(article):
    return f"/dashboard/articles/{article.pk}/"


def _png():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, "PNG")
    return SimpleUploadedFile("desk.png", out.getvalue(), content_type="image/png")


def test_anonymous_visitors_are_sent_to_the_dashboard_login(client, db):
    article = Article.objects.create(title="T", slug="t", standfirst="S", body="B")

    responses = [client.get(url) for url in (LIST, CREATE, _update(article))]
    responses.append(client.post(PREVIEW, {"body": "B"}))

    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith("/dashboard/login/")


@pytest.mark.parametrize("role", ["Shop manager", "Health-fund officer"])
def test_other_staff_get_403_on_every_page(client, db, role):
    article = Article.objects.create(title="T", slug="t", standfirst="S", body="B")
    client.force_login(_staff("someone", role))

    for url in (LIST, CREATE, _update(article)):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, _form()).status_code == 403
    assert client.post(PREVIEW, {"body": "B"}).status_code == 403
    assert Article.objects.count() == 1


def test_an_editor_writes_a_draft_the_public_cannot_see(client, editor, public):
    response = client.post(CREATE, _form())

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.slug, article.status, article.author) == ("sitting-all-day", "draft", editor)
    assert "saved as a draft" in client.get(response["Location"]).content.decode()
    assert "Sitting all day?" not in public.get("/blog/").content.decode()
    assert public.get("/blog/sitting-all-day/").status_code == 404


@pytest.mark.parametrize("newline", ["\n", "\r\n"])  # browsers send a textarea's in CRLF
def test_the_preview_shows_product_cards_exactly_as_the_published_page(
    client, editor, public, lumbotrain, newline
):
    body = (
        f"Wear it at work.{newline}{newline}[[product:LUMBOTRAIN|Bauerfeind back brace]]{newline}"
    )

    preview = client.post(PREVIEW, _form(body=body))

    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    assert Article.objects.count() == 0  # a preview never saves
    cards = CARD.findall(preview.content.decode())
    assert len(cards) == 1
    assert "LumboTrain Back Support" in cards[0] and "$289.95" in cards[0]
    client.post(CREATE, _form(body=body, publishing="published"))
    assert CARD.findall(public.get("/blog/sitting-all-day/").content.decode()) == cards


def test_the_preview_button_works_without_javascript_and_keeps_what_was_typed(
    client, editor, lumbotrain
):
    response = client.post(
        CREATE, _form(body="[[product:LUMBOTRAIN]]", related_products=[lumbotrain.pk], preview="1")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert len(CARD.findall(html)) == 1
    assert 'value="Sitting all day?"' in html
    assert re.search(rf'<option value="{lumbotrain.pk}" selected>', html)
    assert Article.objects.count() == 0


def test_publishing_puts_the_article_on_the_blog_at_once(client, editor, public):
    client.post(CREATE, _form())
    article = Article.objects.get()
    public.get("/blog/")

    response = client.post(_update(article), _form(publishing="published"))

    assert response.status_code == 302
    assert "Sitting all day?" in public.get("/blog/").content.decode()
    assert public.get("/blog/sitting-all-day/").status_code == 200


def test_an_edit_to_a_published_article_shows_at_once_and_keeps_its_date(client, editor, public):
    client.post(CREATE, _form(publishing="published"))
    article = Article.objects.get()
    public.get("/blog/sitting-all-day/")  # the body is cached now

    client.post(_update(article), _form(body="Walk at lunch.", publishing="published"))

    assert "Walk at lunch." in public.get("/blog/sitting-all-day/").content.decode()
    assert Article.objects.get().published_at == article.published_at


def test_a_scheduled_article_appears_once_its_time_has_passed(client, editor, public):
    tomorrow = (timezone.localtime() + timedelta(days=1)).replace(second=0, microsecond=0)

    client.post(CREATE, _form(publishing="scheduled", publish_at=f"{tomorrow:{LOCAL_INPUT}}"))

    article = Article.objects.get()
    assert article.published_at == tomorrow  # read as Sydney time, as typed
    assert public.get("/blog/sitting-all-day/").status_code == 404
    assert "Sitting all day?" not in public.get("/blog/").content.decode()
    assert "Scheduled" in client.get(LIST).content.decode()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    assert public.get("/blog/sitting-all-day/").status_code == 200
    assert "Sitting all day?" in public.get("/blog/").content.decode()


def test_unpublishing_takes_the_article_off_the_site(client, editor, public):
    client.post(CREATE, _form(publishing="published"))
    article = Article.objects.get()
    public.get("/blog/sitting-all-day/")

    client.post(_update(article), _form(publishing="draft"))

    assert public.get("/blog/sitting-all-day/").status_code == 404
    assert "Sitting all day?" not in public.get("/blog/").content.decode()


def test_publishing_an_article_turns_cached_mentions_of_it_into_links(client, editor, public):
    client.post(CREATE, _form(publishing="draft"))
    draft = Article.objects.get()
    Article.objects.create(
        title="Desk setup",
        slug="desk-setup",
        standfirst="S",
        body="Read [why sitting hurts](article:sitting-all-day).",
        status=Article.Status.PUBLISHED,
    )
    assert "<a href" not in _body(public.get("/blog/desk-setup/"))  # cached without the link

    client.post(_update(draft), _form(publishing="published"))
    assert '<a href="/blog/sitting-all-day/">why sitting hurts</a>' in _body(
        public.get("/blog/desk-setup/")
    )

    client.post(_update(draft), _form(publishing="draft"))
    assert "<a href" not in _body(public.get("/blog/desk-setup/"))


def _body(response):
    return re.search(r'<div class="article-body">(.*?)</div>', response.content.decode(), re.S)[1]


def test_related_products_chosen_list_the_article_on_their_pages(
    client, editor, public, lumbotrain
):
    client.post(CREATE, _form(publishing="published", related_products=[lumbotrain.pk]))

    assert list(Article.objects.get().related_products.all()) == [lumbotrain]
    page = public.get(lumbotrain.get_absolute_url()).content.decode()
    assert "Read more" in page and "Sitting all day?" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"slug": "taken"}, "slug", "The article “Taken” already has the slug “taken”"),
        ({"title": "Taken"}, "slug", "already has the slug “taken”"),
        (
            {"publishing": "scheduled", "publish_at": "2020-01-01T09:00"},
            "publish_at",
            "Choose a time in the future",
        ),
        ({"publishing": "scheduled"}, "publish_at", "Choose the date and time"),
        ({"featured_image": "png"}, "featured_image_alt", "Describe the image"),
    ],
)
def test_bad_input_is_refused_beside_its_field(client, editor, fields, field, message):
    Article.objects.create(title="Taken", slug="taken", standfirst="S", body="B")
    if fields.get("featured_image"):
        fields["featured_image"] = _png()

    response = client.post(CREATE, _form(**{"standfirst": "Kept as typed.", **fields}))

    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'<p class="invalid-feedback d-block" id="id_{field}_error">(.*?)</p>', html)
    assert error and message in error[1].replace("&#x27;", "'")
    assert "Kept as typed." in html
    if "featured_image" in fields:
        assert "Choose the file again" in html
    assert Article.objects.count() == 1


def test_the_list_filters_by_status_and_searches_titles(client, editor):
    now = timezone.now()
    for title, status, published_at in [
        ("A draft", "draft", None),
        ("Coming soon", "published", now + timedelta(days=2)),
        ("Out now", "published", now - timedelta(days=2)),
    ]:
        Article.objects.create(
            title=title, slug=title.lower().replace(" ", "-"), standfirst="S", body="B",
            status=status, published_at=published_at,
        )  # fmt: skip

    def titles(**query):
        html = client.get(LIST, query).content.decode()
        return re.findall(r'<a href="/dashboard/articles/\d+/">([^<]+)</a>', html)

    assert titles() == ["Out now", "Coming soon", "A draft"]  # newest first
    assert titles(state="scheduled") == ["Coming soon"]
    assert titles(state="published") == ["Out now"]
    assert titles(state="draft") == ["A draft"]
    assert titles(q="now") == ["Out now"]
    assert '<a href="/blog/out-now/">View' in client.get(LIST).content.decode()
