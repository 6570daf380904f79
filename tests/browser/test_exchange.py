"""Exchanges and returns (issue 19), as a guest and the shop manager meet them: a guest buys the
LumboTrain in size 3 (titanium) by bank transfer; the shop manager marks the order paid, being
processed, then shipped in the dashboard (an exchange can be asked for once the order has been
sent). The guest opens the order's page from the tax invoice's e-mail (typing the order's
address on Oscar's form) and, under "Exchanges and returns", asks to exchange it for size 4:
sent once without choosing the size, the request is refused with what was typed kept; then
sent with it. The order's page lists the request as requested, and the e-mail says size 4 is
held for them. The manager opens "Exchanges and returns" from the dashboard's menu, opens the
request and approves it; the customer is e-mailed where to post the support, and the order's
page then says it is approved.

On a desktop only, to keep CI short (nothing here depends on the screen), with an e-mail
address of its own each run. axe runs on the order's page with its returns, on the return form
before and after the refusal, on the dashboard's queue and on the request's page."""

import re
import uuid

import pytest
from playwright.sync_api import Expect

from tests.browser.support import assert_accessible, log_in
from tests.browser.test_paperwork import add_the_size_to_the_basket_from_the_product_page
from tests.browser.test_reader_to_buyer import (
    PRODUCT,
    check_out_as_a_guest,
    choose_standard_delivery,
    pay_by_bank_transfer,
    place_the_order,
    read_the_confirmation,
    ship_to_sydney,
)

# This module's own `expect`: as patient as the browser context's actions (20 s), not the 5 s
# default, so a busy machine never fails a step that would have passed.
expect = Expect()
expect.set_options(timeout=20_000)

BOUGHT = f"{PRODUCT}, size 3, titanium"  # the demo catalogue's LT-3-TIT
WANTED = f"{PRODUCT}, size 4, titanium"  # LT-4-TIT, in stock in the demo catalogue
EXCHANGE = "Exchange for another size or colour"
NOTE = "It pinches when I sit down; size 4 is what the size finder says now."
BUSINESS_ADDRESS = "Level 2, 1 Example Street, Sydney NSW 2000"  # settings.BUSINESS_ADDRESS


@pytest.fixture
def device() -> str:
    """This journey on a desktop only (see the docstring)."""
    return "desktop"


def test_a_guest_exchanges_size_3_for_size_4_and_the_shop_manager_approves_it(new_context, site):
    customer = f"exchange-{uuid.uuid4().hex[:10]}@example.com.au"
    page = new_context().new_page()

    # As a guest: the LumboTrain in size 3, by bank transfer.
    order_number = buy_size_3_by_bank_transfer(page, email=customer)

    # The shop manager: the money has arrived, the support is packed and sent.
    manager = log_in(new_context(), "shop@example.com")
    move_the_order_on_in_the_dashboard(
        manager, order_number=order_number, statuses=["Paid", "Being processed", "Shipped"]
    )

    # The customer asks for size 4 instead, from the order's page.
    status_url = read_the_link_in_the_tax_invoice_email(
        site, email=customer, order_number=order_number
    )
    open_the_order_status_page_from_the_email(page, status_url=status_url, email=customer)
    open_the_exchange_or_return_form(page, order_number=order_number, status_url=status_url)
    try_to_send_an_exchange_without_choosing_the_size(page)
    reference = ask_to_exchange_it_for_size_4(page, status_url=status_url)
    read_the_requested_email(site, email=customer, reference=reference, order_number=order_number)

    # The shop manager approves it; the customer is told where to post the support.
    open_the_queue_from_the_dashboard_menu(manager, reference=reference)
    approve_the_request(manager, reference=reference, order_number=order_number)
    read_the_approved_email(
        site,
        email=customer,
        reference=reference,
        order_number=order_number,
        status_url=status_url,
    )
    see_it_approved_on_the_order_page(page, reference=reference)

    assert page.errors == [], page.errors
    assert manager.errors == [], manager.errors


# --------------------------------------------------------------------------------------------
# The guest
# --------------------------------------------------------------------------------------------


def buy_size_3_by_bank_transfer(page, *, email: str) -> str:
    """Size 3 in titanium from the product page, then the shared checkout steps. Returns the
    order number."""
    add_the_size_to_the_basket_from_the_product_page(page, size="3")
    expect(page.get_by_role("heading", name=BOUGHT)).to_be_visible()
    page.get_by_role("link", name="Proceed to checkout").click()
    check_out_as_a_guest(page, email=email)
    ship_to_sydney(page)
    choose_standard_delivery(page)
    pay_by_bank_transfer(page)
    place_the_order(page, size="3")
    order_number, _ = read_the_confirmation(page)
    return order_number


def open_the_order_status_page_from_the_email(page, *, status_url: str, email: str):
    """A guest's order page: the e-mail's signed link, then the order's address typed on
    Oscar's form (kept in this browser's session: the return form asks for it too)."""
    page.goto(status_url)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Show my order").click()
    expect(page).to_have_url(status_url)


def open_the_exchange_or_return_form(page, *, order_number: str, status_url: str):
    """The order has been sent: its page offers an exchange or a return of its one line, until
    the end of the returns window. The form links back to the order and to the policy."""
    returns = page.get_by_role("region", name="Exchanges and returns")
    expect(returns).to_contain_text(re.compile(r"You can ask until \d{1,2} \w+ \d{4}\."))
    assert_accessible(page, "the order's page with its exchanges and returns")
    returns.get_by_role("link", name=f"Exchange or return {BOUGHT}", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Exchange or return")
    expect(page.get_by_role("main")).to_contain_text(f"1 × {BOUGHT}, order {order_number}.")
    expect(page.get_by_role("radio", name=EXCHANGE)).to_be_visible()
    expect(page.get_by_role("radio", name="Return for a refund")).to_be_visible()
    back = page.get_by_role("link", name="Back to the order")
    expect(back).to_have_attribute("href", re.sub(r"^https?://[^/]+", "", status_url))
    policy = page.get_by_role("main").get_by_role("link", name="Our returns policy")
    expect(policy).to_have_attribute("href", "/returns-policy/")
    assert_accessible(page, "the return form")


def try_to_send_an_exchange_without_choosing_the_size(page):
    """Refused on the page, next to the size's field, with what was typed kept."""
    page.get_by_role("radio", name=EXCHANGE).check()
    page.get_by_label("Why?", exact=True).select_option(label="Too small")
    page.get_by_label("Anything we should know? (optional)").fill(NOTE)
    page.get_by_role("button", name="Send my request").click()

    replacement = page.get_by_label("Which size or colour instead?")
    expect(replacement).to_have_accessible_description(
        "Choose the size or colour you would like instead."
    )
    expect(replacement).to_have_attribute("aria-invalid", "true")
    expect(replacement).to_be_focused()  # the first invalid field, for a screen reader
    expect(page.get_by_label("Anything we should know? (optional)")).to_have_value(NOTE)
    expect(page.get_by_role("radio", name=EXCHANGE)).to_be_checked()
    expect(page.get_by_label("Why?", exact=True).locator("option:checked")).to_have_text(
        "Too small"
    )
    assert_accessible(page, "the return form, refused")


def ask_to_exchange_it_for_size_4(page, *, status_url: str) -> str:
    """Back on the order's page: the request's reference in the message, the request listed
    as requested, and nothing left of the line to ask for. Returns the reference."""
    page.get_by_label("Which size or colour instead?").select_option(label=WANTED)
    page.get_by_role("button", name="Send my request").click()

    expect(page).to_have_url(status_url)
    message = page.locator("#messages").get_by_role("status")
    expect(message).to_contain_text(re.compile(r"We have your request R\d+\."))
    reference = re.search(r"We have your request (R\d+)\.", message.inner_text()).group(1)
    returns = page.get_by_role("region", name="Exchanges and returns")
    expect(returns).to_contain_text(
        f"{reference}: exchange for another size or colour, 1 × {BOUGHT} for {WANTED}. Requested."
    )
    expect(returns.get_by_role("link", name=f"Exchange or return {BOUGHT}")).to_have_count(0)
    return reference


def see_it_approved_on_the_order_page(page, *, reference: str):
    page.reload()
    returns = page.get_by_role("region", name="Exchanges and returns")
    expect(returns).to_contain_text(f"{reference}: exchange for another size or colour")
    expect(returns.get_by_text("Approved", exact=True)).to_be_visible()
    expect(returns.get_by_text("Requested", exact=True)).to_have_count(0)


# --------------------------------------------------------------------------------------------
# The shop manager
# --------------------------------------------------------------------------------------------


def move_the_order_on_in_the_dashboard(manager, *, order_number: str, statuses: list[str]):
    """Oscar's "Change order status" on the order's page, one status after the other, each
    confirmed by Oscar's message before the next is chosen."""
    manager.goto(f"/dashboard/orders/{order_number}/")
    expect(manager.get_by_role("heading", level=1)).to_contain_text(order_number)
    previous = "Pending payment"
    for status in statuses:
        manager.get_by_label("New order status").select_option(label=status)
        manager.get_by_role("button", name="Change status").click()
        changed = manager.locator("#messages").get_by_role("alert")
        expect(changed).to_contain_text(f"Order status changed from '{previous}' to '{status}'")
        previous = status


def open_the_queue_from_the_dashboard_menu(manager, *, reference: str):
    """From the dashboard's front page, the menu's "Returns" section, "Exchanges and returns":
    the request is in the queue, still requested; its reference opens it."""
    manager.goto("/dashboard/")
    menu = manager.get_by_role("navigation", name="Dashboard")
    menu.get_by_role("button", name="Returns", exact=True).click()
    menu.get_by_role("link", name="Exchanges and returns", exact=True).click()

    expect(manager).to_have_url(re.compile(r"/dashboard/returns/$"))
    expect(manager.get_by_role("heading", level=1)).to_have_text("Exchanges and returns")
    row = manager.get_by_role("row").filter(has=manager.get_by_role("link", name=reference))
    expect(row).to_contain_text("Requested")
    expect(row).to_contain_text(f"Exchange for another size or colour: 1 × {BOUGHT} for {WANTED}")
    expect(row).to_contain_text("Too small")
    assert_accessible(manager, "dashboard: exchanges and returns")
    row.get_by_role("link", name=reference, exact=True).click()


def approve_the_request(manager, *, reference: str, order_number: str):
    """The request's page: the order, the size held for the exchange, the customer's reason
    and note; "Mark approved" says so and records who did it."""
    heading = manager.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"{reference}: requested")
    details = manager.locator("dl")  # the dashboard's pages have no main landmark
    expect(details.get_by_role("link", name=order_number, exact=True)).to_be_visible()
    expect(details).to_contain_text(f"for {WANTED} (LT-4-TIT, held)")
    expect(details).to_contain_text(NOTE)
    assert_accessible(manager, "dashboard: one exchange or return")
    manager.get_by_role("button", name="Mark approved").click()

    message = manager.locator("#messages").get_by_role("alert")
    expect(message).to_contain_text(f"{reference} is approved; the customer is told.")
    expect(heading).to_have_text(f"{reference}: approved")
    approved = manager.get_by_role("row").filter(has_text="shop@example.com")
    expect(approved).to_contain_text("Approved")
    expect(manager.get_by_role("button", name="Mark approved")).to_have_count(0)


# --------------------------------------------------------------------------------------------
# The e-mails
# --------------------------------------------------------------------------------------------


def read_the_link_in_the_tax_invoice_email(site, *, email: str, order_number: str) -> str:
    """Sent once the order was paid; its link is the guest's order page."""
    mail = site.wait_for_mail(to=email, subject="Your tax invoice")
    assert order_number in mail["Subject"], mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"https?://\S+/accounts/order-status/{order_number}/\S+/", text)
    assert link, f"the e-mail has no link to the order's page:\n{text}"
    return link.group(0)


def read_the_requested_email(site, *, email: str, reference: str, order_number: str):
    mail = site.wait_for_mail(
        to=email, subject=f"Your exchange {reference} for order {order_number}: requested"
    )
    text = _one_line(mail.get_body(preferencelist=("plain",)).get_content())
    expected = f"exchange 1 × {BOUGHT} for {WANTED}. We are holding one for you."
    assert expected in text, f"the e-mail does not say size 4 is held:\n{text}"
    assert "please wait for our reply before you send it back" in text, text


def read_the_approved_email(
    site, *, email: str, reference: str, order_number: str, status_url: str
):
    """Where to post it, the reference to put in the parcel, and the order's page."""
    mail = site.wait_for_mail(
        to=email, subject=f"Your exchange {reference} for order {order_number}: approved"
    )
    text = _one_line(mail.get_body(preferencelist=("plain",)).get_content())
    expected = f"Please post 1 × {BOUGHT} to: {BUSINESS_ADDRESS}."
    assert expected in text, f"the e-mail does not say where to post it:\n{text}"
    assert f"Write {reference} on a note inside the parcel." in text, text
    assert f"Your order: {status_url}" in text, f"the e-mail's order link is not {status_url}"


def _one_line(text: str) -> str:
    """An e-mail's text with its line breaks and runs of spaces read as single spaces."""
    return re.sub(r"\s+", " ", text)
