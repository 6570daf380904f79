"""Every page of the demo catalogue answers, and every image on it exists."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _broken_images(html):
    """<img> tags whose file does not exist or that have no alt attribute."""
    broken = []
    for tag in re.findall(r"<img\b[^>]*>", html):
        src = unquote(re.search(r'src="([^"]*)"', tag)[1])
        if src.startswith(settings.MEDIA_URL):
            exists = (Path(settings.MEDIA_ROOT) / src.removeprefix(settings.MEDIA_URL)).is_file()
        else:
            exists = finders.find(re.sub(r"\.[0-9a-f]{12}\.", ".", src.removeprefix("/static/")))
        if not exists or " alt=" not in tag:
            broken.append(tag)
    return broken


def _demo_urls():
    return (
        ["/", "/catalogue/"]
        + [c.get_absolute_url() for c in Category.objects.all()]
        + [p.get_absolute_url() for p in Product.objects.all()]
    )


def test_every_demo_page_answers_with_no_broken_image(client, demo):
    urls = _demo_urls()
    assert len(urls) > 30

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _broken_images(response.content.decode()) == [], url

    catalogue = client.get("/catalogue/").content.decode()
    assert catalogue.count(f'src="{settings.MEDIA_URL}') >= 14, "product thumbnails are checked"


@pytest.mark.parametrize("query", ["lumbo", "back brace", "back support", "LumboTrain"])
def test_search_finds_the_lumbotrain(client, demo, query):
    html = client.get("/search/", {"q": query}).content.decode()

    assert "LumboTrain Back Support" in html
