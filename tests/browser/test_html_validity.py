"""Every public page type, as the server sends it, passes the Nu HTML checker (vnu-jar from
npm, run offline on the machine's Java) with no errors: the pages a visitor reads, the forms
with and without errors, and the pages that follow a submission."""

import json
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible
from tests.site_process import BASE_DIR

VNU = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTICLE = "/blog/causes-of-back-spasms-and-cramps/"


def _source(response) -> str:
    assert response is not None and response.status < 500, response and response.url
    return response.text()


def _collect_public_pages(page) -> dict[str, str]:
    """name -> the HTML the server sent, visiting as a customer would."""
    pages = {}

    def visit(name, path):
        pages[name] = _source(page.goto(path))

    def submit(name, button):
        with page.expect_navigation() as navigation:
            button.click()
        pages[name] = _source(navigation.value)

    visit("home", "/")
    visit("blog", "/blog/")
    visit("article", ARTICLE)
    category = page.locator("a[href^='/blog/category/']").first.get_attribute("href")
    visit("blog category", category)
    visit("catalogue", "/catalogue/")
    visit("category", page.locator("a[href^='/catalogue/category/']").first.get_attribute("href"))
    visit("search results", "/search/?q=back+support")
    visit("search without results", "/search/?q=zzzzqqq")
    visit("page not found", "/no-such-page/")
    visit("login and register", "/accounts/login/")
    visit("sign in without a password", "/accounts/sign-in-by-email/")
    page.get_by_label("Your e-mail address").fill("ada.code@example.com")
    submit("sign-in code", page.get_by_role("button", name="E-mail me a code"))
    visit("empty basket", "/basket/")
    page.goto(ARTICLE)
    page.get_by_role("link", name="LumboTrain Back Support").first.click()
    pages["product"] = _source(page.goto(page.url))
    product_id = page.url.rstrip("/").rsplit("_", 1)[1]

    variants = page.get_by_label("Size and colour")
    in_stock = variants.locator("option:not([disabled]):not([value=''])").first
    variants.select_option(in_stock.get_attribute("value"))
    submit("basket with an item", page.get_by_role("button", name="Add to basket"))
    visit("basket", "/basket/")
    visit("quote for a health fund", "/basket/quote/")
    page.get_by_label("E-mail it to me").fill("not-an-address")
    submit("quote with errors", page.get_by_role("button", name="Make my quote"))
    page.get_by_label("E-mail it to me").fill("")
    submit("quote made", page.get_by_role("button", name="Make my quote"))
    assert_accessible(page, "quote made")
    visit("checkout: guest or sign in", "/checkout/")
    visit("checkout: shipping address", "/checkout/shipping-address/")

    visit("health-fund enquiry", f"/insurance/enquiry/?product={product_id}")
    submit("health-fund enquiry with errors", page.get_by_role("button", name="Send my enquiry"))
    _fill_enquiry(page)
    submit("health-fund enquiry sent", page.get_by_role("button", name="Send my enquiry"))

    visit("booking: topic and zone", "/consultations/book/")
    visit("booking: times and details", "/consultations/book/?topic=back&time_zone=Australia/Perth")
    submit("booking with errors", page.get_by_role("button", name="Book my call"))
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("textbox", name="Email").fill("ada.validity@example.com")
    page.get_by_label("Tell us briefly about the problem").fill("Lower back pain at my desk.")
    page.get_by_label("I agree").check()
    submit("booking status", page.get_by_role("button", name="Book my call"))
    expect(page.get_by_text("confirmed", exact=False).first).to_be_visible(timeout=60_000)
    pages["booking confirmed"] = _source(page.goto(page.url))
    return pages


def _fill_enquiry(page) -> None:
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("textbox", name="Email").fill("ada.enquiry@example.com")
    page.get_by_label("State or territory").select_option("NSW")
    page.get_by_label("Postcode").fill("2000")
    page.get_by_label("Your health fund").select_option(label="Bupa")
    page.get_by_label("Level of extras cover").select_option("top")
    page.get_by_label("Do you have a referral").select_option("gp")
    page.get_by_label("Your question").fill("Will Bupa pay towards it?")
    page.get_by_label("I agree").check()


def _vnu_errors(files) -> list[str]:
    result = subprocess.run(  # noqa: S603
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]


@pytest.mark.parametrize("device", ["desktop"], indirect=True)  # the HTML is the same
def test_every_public_page_type_is_valid_html(page, tmp_path):
    pages = _collect_public_pages(page)
    files = []
    for name, html in pages.items():
        file = tmp_path / (name.replace(" ", "-").replace(":", "") + ".html")
        file.write_text(html)
        files.append(file)

    errors = _vnu_errors(files)

    assert len(pages) >= 20
    assert errors == [], "\n".join(errors)
