"""The paperwork of one order (receipts/), as a guest and a shop manager meet it: a guest puts
a LumboTrain in size 3 in the basket and gets a quote for their health fund for the person who
will wear it (the PDF reads "Quote", the size and SKU, the GST); then buys it as a guest by bank
transfer, naming the same wearer at checkout. The shop manager marks the order paid in the
dashboard; the customer's "Your tax invoice" e-mail carries the PDF (the ABN, the size, the GST,
delivery on its own line, the wearer), whose lines read as the quote's did, and the order's
status page (opened from the e-mail, the order's address typed on Oscar's form) downloads the
same bytes. Then the manager refunds part of the order: a credit note crediting the invoice,
e-mailed and downloadable from the same status page; a refund larger than what is left is
refused, with what was typed kept.

On a desktop only, to keep CI short (nothing here depends on the screen), with an e-mail
address of its own each run. axe runs on the quote page and on the refund page, before and
after a refusal."""

import io
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import Expect
from pypdf import PdfReader

from tests.browser.support import assert_accessible, log_in
from tests.browser.test_reader_to_buyer import (
    PRODUCT,
    check_out_as_a_guest,
    pay_by_bank_transfer,
    read_the_confirmation,
    ship_to_sydney,
)

# This module's own `expect`: as patient as the browser context's actions (20 s), not the 5 s
# default, so a busy machine never fails a step that would have passed.
expect = Expect()
expect.set_options(timeout=20_000)

SIZE = "3"
SKU = "LT-3-TIT"  # the demo catalogue's LumboTrain, size 3, titanium
WEARER = "Sam Nguyen"  # who will wear it: not the buyer
BUYER = "Mia Nguyen"
REFUND = "20.00"
REFUND_GST = "1.82"  # one eleventh of $20.00, rounded to the cent
REASON = "Goodwill: late delivery"


@pytest.fixture
def device() -> str:
    """This journey on a desktop only (see the docstring)."""
    return "desktop"


def test_a_quote_then_the_tax_invoice_then_a_credit_note_for_one_order(new_context, site):
    customer = f"paperwork-{uuid.uuid4().hex[:10]}@example.com.au"
    page = new_context().new_page()

    # As a guest: a quote for the health fund, then the order.
    add_the_size_to_the_basket_from_the_product_page(page, size=SIZE)
    quote = get_a_quote_for_the_health_fund(page, wearer=WEARER)
    check_out_as_a_guest(page, email=customer)
    order_number = buy_it_by_bank_transfer_naming_the_wearer(page, wearer=WEARER)

    # The shop manager marks it paid; the tax invoice arrives and is on the order's page.
    manager = log_in(new_context(), "shop@example.com")
    mark_the_order_paid_in_the_dashboard(manager, order_number=order_number)
    invoice, invoice_number, status_url = read_the_tax_invoice_email(
        site, email=customer, order_number=order_number
    )
    see_that_the_quote_and_the_invoice_read_the_same_lines(quote, invoice)
    open_the_order_status_page_from_the_email(page, status_url=status_url, email=customer)
    download_the_tax_invoice(page, invoice_number=invoice_number, emailed=invoice)

    # A partial refund: the credit note, e-mailed and on the order's page.
    open_the_refund_page(manager, order_number=order_number)
    refund_part_of_the_order(manager, amount=REFUND, reason=REASON)
    credit_note, credit_note_number = read_the_credit_note_email(
        site, email=customer, invoice_number=invoice_number
    )
    download_the_credit_note(page, number=credit_note_number, emailed=credit_note)
    open_the_refund_page(manager, order_number=order_number)
    try_to_refund_more_than_is_left(manager, amount="100000", reason=REASON, refunded=REFUND)

    assert page.errors == [], page.errors
    assert manager.errors == [], manager.errors


# --------------------------------------------------------------------------------------------
# The guest
# --------------------------------------------------------------------------------------------


def add_the_size_to_the_basket_from_the_product_page(page, *, size: str):
    """The LumboTrain's page from the catalogue, the size chosen in the basket form."""
    page.goto("/catalogue/")
    page.get_by_role("main").get_by_role("link", name=PRODUCT).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    sizes = page.get_by_label("Size and colour")
    option = sizes.locator("option", has_text=re.compile(rf"^Size {size} \(.*titanium", re.I))
    sizes.select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Add to basket").click()
    added = page.get_by_role("main").get_by_text("has been added to your basket")
    expect(added).to_contain_text(f"{PRODUCT}, size {size}")
    page.get_by_role("main").get_by_role("link", name="View basket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Basket")
    expect(page.get_by_role("heading", name=f"{PRODUCT}, size {size}")).to_be_visible()


def get_a_quote_for_the_health_fund(page, *, wearer: str) -> str:
    """From the basket: the quote's form (who will wear it; no e-mail), the quote's page, its
    PDF downloaded. Back to the basket, which still holds the support. Returns the PDF's
    text."""
    page.get_by_role("link", name="Get a quote for your health fund").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A quote for your health fund")
    expect(page.get_by_role("main")).to_contain_text(f"1 × {PRODUCT}, size {SIZE}")
    page.get_by_label("Who will wear it?").fill(wearer)
    page.get_by_role("button", name="Make my quote").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Your quote Q-\d+$"))
    number = heading.inner_text().removeprefix("Your quote ").strip()
    expect(page.get_by_role("status")).to_contain_text("Valid until")
    expect(page.get_by_role("main")).to_contain_text(f"1 × {PRODUCT}, size {SIZE}")
    assert_accessible(page, "the quote")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the quote (PDF)").click()
    text = _pdf_text(_bytes(download.value))
    for expected in ("Quote", number, f"size {SIZE}", SKU, "GST", f"Worn by {wearer}"):
        assert expected in text, f"the quote's PDF has no {expected!r}:\n{text}"

    page.get_by_role("link", name="Back to the basket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Basket")
    expect(page.get_by_label(f"Quantity of {PRODUCT}, size {SIZE}")).to_have_value("1")
    page.get_by_role("link", name="Proceed to checkout").click()
    return text


def buy_it_by_bank_transfer_naming_the_wearer(page, *, wearer: str) -> str:
    """The buyer's address, the wearer named beside it; express delivery (standard is free at
    this price, and a charged delivery is what the invoice shows on its own line and a refund
    may credit); bank transfer. Returns the order number."""
    ship_to_sydney(page, name=BUYER, wearer=wearer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping method")
    page.get_by_role("button", name="Choose Express delivery").click()
    pay_by_bank_transfer(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview order")
    expect(page.get_by_role("heading", name=f"{PRODUCT}, size {SIZE}")).to_be_visible()
    page.get_by_role("button", name="Place order").click()
    order_number, _ = read_the_confirmation(page)
    return order_number


def open_the_order_status_page_from_the_email(page, *, status_url: str, email: str):
    """A guest's order page: the e-mail's signed link, then the order's address typed on
    Oscar's form (kept in this browser's session for the downloads)."""
    page.goto(status_url)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Show my order").click()
    expect(page).to_have_url(status_url)


def download_the_tax_invoice(page, *, invoice_number: str, emailed: bytes):
    link = page.get_by_role("link", name=f"Download tax invoice {invoice_number} (PDF)")
    with page.expect_download() as download:
        link.click()
    assert _bytes(download.value) == emailed, "the page's tax invoice is not the e-mailed one"


def download_the_credit_note(page, *, number: str, emailed: bytes):
    page.reload()
    link = page.get_by_role("link", name=f"Download credit note {number} (PDF)")
    with page.expect_download() as download:
        link.click()
    assert _bytes(download.value) == emailed, "the page's credit note is not the e-mailed one"


# --------------------------------------------------------------------------------------------
# The shop manager
# --------------------------------------------------------------------------------------------


def mark_the_order_paid_in_the_dashboard(manager, *, order_number: str):
    """The bank transfer has arrived: Oscar's "Change order status" on the order's page."""
    manager.goto(f"/dashboard/orders/{order_number}/")
    expect(manager.get_by_role("heading", level=1)).to_contain_text(order_number)
    manager.get_by_label("New order status").select_option(label="Paid")
    manager.get_by_role("button", name="Change status").click()
    invoice = manager.get_by_role("link", name=re.compile(r"^Tax invoice INV-\S+ \(PDF\)$"))
    expect(invoice).to_be_visible()


def open_the_refund_page(manager, *, order_number: str):
    manager.goto(f"/dashboard/orders/{order_number}/")
    manager.get_by_role("link", name="Refund and credit note").click()
    expect(manager).to_have_url(re.compile(rf"/dashboard/orders/{order_number}/refund/$"))
    expect(manager.get_by_label(f"Quantity to refund: {PRODUCT}, size {SIZE}")).to_be_visible()
    expect(manager.get_by_role("checkbox", name=re.compile("^Refund delivery"))).to_be_visible()
    assert_accessible(manager, "dashboard: refund and credit note")


def refund_part_of_the_order(manager, *, amount: str, reason: str):
    """Nothing returned, no delivery: another amount, with its reason."""
    manager.get_by_label("Other amount (AUD, GST included)").fill(amount)
    manager.get_by_role("textbox", name="Reason (shown on the credit note)").fill(reason)
    manager.get_by_role("button", name="Record the refund and issue the credit note").click()

    expect(manager).to_have_url(re.compile(r"/dashboard/orders/\d+/$"))
    message = manager.locator("#messages").get_by_role("alert")
    expect(message).to_contain_text(re.compile(rf"Credit note CN-\d+\b.*\${re.escape(amount)}"))
    expect(
        manager.get_by_role("link", name=re.compile(r"^Credit note CN-\S+ \(PDF\)$"))
    ).to_be_visible()


def try_to_refund_more_than_is_left(manager, *, amount: str, reason: str, refunded: str):
    """Refused on the page, saying why (what is left: what was paid less the refund before),
    with what was typed kept."""
    intro = manager.get_by_text(re.compile(r"^Paid \$[\d,.]+ \(tax invoice INV-"))
    paid, left = (_dollars(a) for a in re.findall(r"\$([\d,]+\.\d\d)", intro.inner_text()))
    assert left == paid - _dollars(refunded), (paid, left)
    manager.get_by_label("Other amount (AUD, GST included)").fill(amount)
    reason_box = manager.get_by_role("textbox", name="Reason (shown on the credit note)")
    reason_box.fill(reason)
    manager.get_by_role("button", name="Record the refund and issue the credit note").click()

    expect(manager).to_have_url(re.compile(r"/refund/$"))
    # "That is $100,000.00, but only $…of this order is left to refund."
    asked, only = re.escape(f"${_dollars(amount):,.2f}"), re.escape(f"${left:,.2f}")
    refused = manager.get_by_role("alert")
    expect(refused).to_contain_text(re.compile(rf"{asked}.* {only} .*left to refund"))
    expect(reason_box).to_have_value(reason)
    expect(manager.get_by_label("Other amount (AUD, GST included)")).to_have_value(amount)
    assert_accessible(manager, "dashboard: refund and credit note, refused")


# --------------------------------------------------------------------------------------------
# The e-mails and their PDFs
# --------------------------------------------------------------------------------------------


def read_the_tax_invoice_email(site, *, email: str, order_number: str):
    """Returns the attached PDF's bytes, the invoice number and the order's page (the link in
    the e-mail)."""
    mail = site.wait_for_mail(to=email, subject="Your tax invoice")
    number = re.search(r"INV-\S+", mail["Subject"]).group(0)
    assert order_number in mail["Subject"], mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"https?://\S+/accounts/order-status/{order_number}/\S+/", text)
    assert link, f"the e-mail has no link to the order's page:\n{text}"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    invoice = _pdf_text(pdf)
    for expected in ("Tax invoice", "ABN", number, order_number, f"size {SIZE}", SKU, "GST"):
        assert expected in invoice, f"the tax invoice has no {expected!r}:\n{invoice}"
    assert re.search(r"^Delivery \(Express delivery\) \$[1-9][\d,]*\.\d\d\s*$", invoice, re.M), (
        f"the tax invoice has no delivery line of its own:\n{invoice}"
    )
    assert WEARER in invoice, f"the tax invoice does not name the wearer:\n{invoice}"
    return pdf, number, link.group(0)


def see_that_the_quote_and_the_invoice_read_the_same_lines(quote: str, invoice: bytes):
    """The support's line (description, SKU, quantity, unit price, total) reads the same."""
    invoice_text = _pdf_text(invoice)
    quoted, invoiced = _line_of(quote, SKU), _line_of(invoice_text, SKU)
    assert quoted and quoted == invoiced, (quoted, invoiced)


def read_the_credit_note_email(site, *, email: str, invoice_number: str):
    """Returns the attached PDF's bytes and the credit note's number."""
    mail = site.wait_for_mail(to=email, subject="Your credit note")
    assert mail["Subject"].startswith("Your credit note"), mail["Subject"]
    number = re.search(r"CN-\S+", mail["Subject"]).group(0)
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    text = _pdf_text(pdf)
    for expected in ("Credit note", number, invoice_number, f"-${REFUND}", f"-${REFUND_GST}"):
        assert expected in text, f"the credit note has no {expected!r}:\n{text}"
    assert REASON in text, f"the credit note does not give its reason:\n{text}"
    return pdf, number


def _dollars(text: str) -> Decimal:
    return Decimal(text.strip().lstrip("$").replace(",", ""))


def _bytes(download) -> bytes:
    with open(download.path(), "rb") as file:
        return file.read()


def _pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _line_of(text: str, sku: str) -> str:
    """The lines table's row of `sku`, as the PDF's text reads it."""
    return next((line.strip() for line in text.splitlines() if sku in line), "")
