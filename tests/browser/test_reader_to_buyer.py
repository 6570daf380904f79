"""A reader becomes a buyer: from the home page to the back-spasms article, from the article's
product card to the LumboTrain, where the size finder picks the size; then a guest checks out,
pays by bank transfer and gets the order e-mail.

One story per device (desktop and phone), each with its own customer e-mail address, so the
order e-mail of one never satisfies the other's wait. axe runs on every page type on the way."""

import re
from decimal import Decimal

from playwright.sync_api import Expect

from tests.browser.support import assert_accessible

# This module's own `expect`: as patient as the browser context's actions (20 s), not the 5 s
# default, so a busy machine never fails a step that would have passed.
expect = Expect()
expect.set_options(timeout=20_000)

ARTICLE = "Causes of back spasms and cramps?"
PRODUCT = "LumboTrain Back Support"


def test_a_reader_buys_the_support_the_article_recommends(page, site, device):
    customer = f"reader-{device}@example.com.au"

    visit_the_home_page(page)
    read_the_article_from_the_latest_articles(page)
    open_the_product_card_in_the_article(page)
    size = find_my_size(page, waist_cm="85")
    add_the_size_to_the_basket(page, size=size)
    review_the_basket(page, size=size)
    check_out_as_a_guest(page, email=customer)
    ship_to_sydney(page)
    choose_standard_delivery(page)
    pay_by_bank_transfer(page)
    place_the_order(page, size=size)
    order_number, gst = read_the_confirmation(page)

    mail = site.wait_for_mail(to=customer, subject=order_number)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"Thank you for your order {order_number}" in text
    assert re.search(rf"Includes GST of\s+{re.escape(gst)}", text)
    assert page.errors == []


def visit_the_home_page(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Back pain shouldn't stop your day")
    assert_accessible(page, "home page")


def read_the_article_from_the_latest_articles(page):
    latest = page.get_by_role("region", name="From the blog")
    latest.get_by_role("link", name=ARTICLE).click()
    expect(page).to_have_url(re.compile(r"/blog/causes-of-back-spasms-and-cramps/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE)
    assert_accessible(page, "article")


def open_the_product_card_in_the_article(page):
    """The article shows the support as a live card (after the causes, and again at the end)."""
    card = page.get_by_role("complementary", name=PRODUCT).first
    expect(card).to_contain_text("incl. GST")
    card.get_by_role("link", name="Choose your size").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    assert_accessible(page, "product page")


def find_my_size(page, *, waist_cm: str) -> str:
    """The finder answers on the page (size 2 fits 80-90 cm) and selects that size in the
    basket form, with its price and stock. Returns the size it suggested."""
    page.get_by_label("Measure around your waist in cm").fill(waist_cm)
    page.get_by_role("button", name="Find my size").click()
    answer = page.get_by_role("status").filter(has_text=f"{waist_cm} cm")
    expect(answer).to_have_text(f"{waist_cm} cm: size 2 fits you. We've selected it below.")
    expect(page.get_by_label("Size and colour").locator("option:checked")).to_contain_text(
        "Size 2 (80–90 cm)"
    )
    expect(page.locator("[data-variant-stock]")).to_contain_text("Size 2 (80–90 cm)")
    return "2"


def add_the_size_to_the_basket(page, *, size: str):
    page.get_by_role("button", name="Add to basket").click()
    added = page.get_by_role("main").get_by_text("has been added to your basket")
    expect(added).to_contain_text(f"{PRODUCT}, size {size}")


def review_the_basket(page, *, size: str):
    page.get_by_role("main").get_by_role("link", name="View basket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Basket")
    expect(page.get_by_role("heading", name=f"{PRODUCT}, size {size}")).to_be_visible()
    expect(page.get_by_label(f"Quantity of {PRODUCT}, size {size}")).to_have_value("1")
    assert_accessible(page, "basket")
    page.get_by_role("link", name="Proceed to checkout").click()


def check_out_as_a_guest(page, *, email: str):
    expect(page.get_by_role("heading", level=1)).to_have_text("Who are you?")
    page.get_by_label("My email address is").fill(email)
    page.get_by_label(re.compile("checkout as a guest")).check()
    assert_accessible(page, "checkout: who are you")
    page.get_by_role("button", name="Continue").click()


def ship_to_sydney(page, *, name: str = "Mia Nguyen", wearer: str = ""):
    """The Australian address form (shop/apps/checkout/forms.py): state, and a postcode of it;
    and, when given, who will wear the support (for the receipt's health-fund part)."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping address")
    first, last = name.split(" ", 1)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Street address").fill("12 Harbour Street")
    page.get_by_label("Suburb or town").fill("Sydney")
    page.get_by_label("State or territory").select_option(label="New South Wales")
    page.get_by_label("Postcode").fill("2000")
    page.get_by_label("Phone number").fill("0412 345 678")
    if wearer:
        page.get_by_label("Who will wear it?").fill(wearer)
    assert_accessible(page, "checkout: shipping address")
    page.get_by_role("button", name="Continue").click()


def choose_standard_delivery(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping method")
    assert_accessible(page, "checkout: delivery")
    page.get_by_role("button", name="Choose Standard delivery").click()


def pay_by_bank_transfer(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("How would you like to pay?")
    page.get_by_label("Bank transfer").check()
    assert_accessible(page, "checkout: payment")
    page.get_by_role("button", name="Continue to review your order").click()


def place_the_order(page, *, size: str):
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview order")
    expect(page.get_by_role("heading", name=f"{PRODUCT}, size {size}")).to_be_visible()
    expect(page.get_by_text("Mia Nguyen")).to_be_visible()
    assert_accessible(page, "checkout: preview")
    page.get_by_role("button", name="Place order").click()


def read_the_confirmation(page) -> tuple[str, str]:
    """The order number, and the GST included in the total (one eleventh of it). Returns both,
    as shown, to find them in the e-mail."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Order \d+: confirmation"))
    order_number = re.search(r"\d+", heading.inner_text()).group(0)
    reference = page.get_by_role("row", name=re.compile("^Reference"))
    expect(reference).to_contain_text(order_number)  # the bank transfer's reference

    total = page.get_by_role("row", name=re.compile(r"^Order total")).get_by_role("cell").last
    gst = page.get_by_role("row", name=re.compile("^Includes GST of")).get_by_role("cell")
    expect(gst).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    assert abs(_dollars(gst.inner_text()) - _dollars(total.inner_text()) / 11) <= Decimal("0.01")
    assert_accessible(page, "order confirmation")
    return order_number, gst.inner_text().strip()


def _dollars(text: str) -> Decimal:
    return Decimal(text.strip().lstrip("$").replace(",", ""))
