"""Every page wears the site's frame: wordmark, the four jobs in the navigation, the phone."""

import re

import pytest


@pytest.mark.parametrize("url", ["/", "/catalogue/", "/basket/", "/accounts/login/"])
def test_every_page_has_brand_navigation_and_phone(client, db, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bauerfeind Australia" in html
    assert 'href="tel:1300668466"' in html
    assert re.search(r">\s*Shop\s*<", html)
    assert '<html lang="en-au"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "googleapis" not in html, "no CDN: the site must work without the internet"


def test_home_page_offers_the_shop_and_the_expert_help(client, db):
    html = client.get("/").content.decode()

    assert "<h1" in html and "Back pain shouldn" in html
    assert 'href="/catalogue/"' in html
    assert "Book a video call with one of our product experts" in html


@pytest.mark.parametrize("url", ["/insurance/enquiry/", "/consultations/book/"])
def test_the_forms_offer_the_phone_instead(client, db, url):
    html = client.get(url).content.decode()

    assert "Prefer to talk" in html and 'href="tel:1300668466"' in html
