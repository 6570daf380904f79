"""A quote for a health fund from the basket (receipts/): numbered in its own sequence, valid
30 days, the basket's lines with GST and the health-fund part, shown and downloadable at once,
e-mailed when asked; no order is placed and the basket is kept."""

from django.core import mail
from django.test import Client

from core.outbox import deliver
from receipts.models import Document
from tests.receipts.steps import pdf_text
from tests.shop.checkout_steps import add_to_basket


def test_a_quote_of_the_basket_reads_its_lines_and_is_emailed(demo, clock):
    clock.set("2027-03-01 10:00")
    customer = Client()
    add_to_basket(customer, "LT-3-TIT")
    add_to_basket(customer, "VISCOSPOT")
    basket = customer.get("/basket/")
    assert 'href="/basket/quote/"' in basket.content.decode()

    response = customer.post(
        "/basket/quote/", {"wearer_name": "Sam Nguyen", "email": "mia@example.com.au"}
    )

    quote = Document.objects.get(kind=Document.Kind.QUOTE)
    assert response.status_code == 302 and response["Location"] == f"/basket/quote/{quote.token}/"
    page = customer.get(response["Location"]).content.decode()
    assert "Valid until 31 Mar 2027" in page and "e-mailed it to mia@example.com.au" in page
    pdf = customer.get(f"/basket/quote/{quote.token}/pdf/").content
    text = pdf_text(pdf)
    for expected in (
        "Quote", quote.display_number, "Valid until 31 Mar 2027", "This is not a tax invoice",
        "LumboTrain Back Support", "LT-3-TIT", "VISCOSPOT", "Total price includes GST of $",
        "Worn by Sam Nguyen", "Orthopaedic support / aids and appliances", "ABN 51 824 753 556",
    ):  # fmt: skip
        assert expected in text, expected
    assert quote.display_number.startswith("Q-") and quote.number == 1  # its own sequence
    assert not Document.objects.filter(kind=Document.Kind.INVOICE).exists()

    deliver(kind="basket.quote", pk=quote.pk)
    message = mail.outbox[-1]
    assert message.to == ["mia@example.com.au"] and quote.display_number in message.subject
    assert message.attachments[0][1] == pdf  # the same stored bytes
    assert customer.get("/basket/").context["basket"].num_items == 2  # nothing was bought


def test_an_empty_basket_or_a_bad_address_is_refused_and_keeps_what_was_typed(demo):
    customer = Client()
    empty = customer.post("/basket/quote/", {"wearer_name": "Sam"})
    assert empty.status_code == 400 and "Your basket is empty" in empty.content.decode()

    add_to_basket(customer, "LT-3-TIT")
    bad = customer.post("/basket/quote/", {"wearer_name": "Sam Nguyen", "email": "not-mail"})
    page = bad.content.decode()
    assert bad.status_code == 400 and "like name@example.com" in page
    assert 'value="Sam Nguyen"' in page and 'value="not-mail"' in page
    assert not Document.objects.exists()  # nothing recorded, no number used
    assert Client().get("/basket/quote/made-up-token/").status_code == 404
    assert Client().get("/basket/quote/made-up-token/pdf/").status_code == 404


def test_a_quote_without_an_address_is_not_emailed(demo):
    customer = Client()
    add_to_basket(customer, "LT-3-TIT")
    assert customer.post("/basket/quote/", {"wearer_name": "", "email": ""}).status_code == 302
    quote = Document.objects.get()
    assert not deliver(kind="basket.quote", pk=quote.pk)
    assert mail.outbox == []
