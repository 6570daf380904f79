"""Will my health fund cover this? A customer asks from the LumboTrain's page, sees the
indicative answer as soon as fund and cover are chosen, sends the enquiry and gets a reference;
a health-fund officer finds it in the dashboard's queue and answers it, and the customer is
e-mailed the answer.

Each device has its own customer e-mail address, so one test's e-mails never satisfy another's
wait. axe runs on the public pages and on the two dashboard pages."""

import re

import pytest
from playwright.sync_api import Expect

from tests.browser.support import assert_accessible, log_in

# This module's own `expect`: as patient as the browser context's actions (20 s), not the 5 s
# default, so a busy machine never fails a step that would have passed.
expect = Expect()
expect.set_options(timeout=20_000)

PRODUCT = "LumboTrain Back Support"
REFERENCE = re.compile(r"^PHI-[2-9A-HJKMNP-Z]{6}$")  # insurance.models.new_reference


def test_a_customer_asks_about_cover_and_an_officer_answers(new_context, site, device):
    customer = f"phi-{device}@example.com.au"
    page = new_context().new_page()

    open_the_product_page(page)
    ask_will_my_fund_cover_this(page)
    choose_fund_and_cover_and_see_the_indicative_answer(page, fund="Bupa", cover="Mid extras")
    fill_in_the_rest_and_consent(page, email=customer)
    reference = send_and_read_the_reference(page)

    officer = log_in(new_context(), "officer@example.com")
    open_the_enquiry_from_the_queue(officer, reference=reference)
    answer_the_enquiry(officer, rebate="145.00", message="Bupa pays 50% of the price, up to $300.")

    subject = f"Our answer to your health-fund enquiry {reference}"  # answer_subject.txt
    mail = site.wait_for_mail(to=customer, subject=subject)
    assert mail["Subject"] == subject
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Covered: we estimate a rebate of about $145.00." in text
    assert "Bupa pays 50% of the price, up to $300." in text
    assert page.errors == []
    assert officer.errors == []


@pytest.mark.parametrize("device", ["desktop"], indirect=True)  # the same on every screen
def test_a_missing_field_is_explained_next_to_it_and_nothing_typed_is_lost(page):
    page.goto("/insurance/enquiry/")
    page.get_by_label("Your name").fill("Ruth Okafor")
    page.get_by_role("textbox", name="Email").fill("ruth@example.com.au")
    page.get_by_label("State or territory").select_option(label="Victoria")
    page.get_by_label("Postcode").fill("3000")
    page.get_by_label("Your health fund").select_option(label="HCF")
    page.get_by_label("Level of extras cover").select_option(label="Top extras")
    page.get_by_label("Which support?").select_option(label=PRODUCT)
    page.get_by_label("Do you have a referral").select_option(label="Physiotherapist")
    # "Your question" is left empty.
    page.get_by_label("I agree to Bauerfeind Australia").check()

    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Send my enquiry").click()

    assert sent.value.status == 400
    question = page.get_by_label("Your question")
    expect(question).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{question.get_attribute('aria-describedby')}")
    expect(error).to_have_text("This field is required.")
    next_to_it = page.locator(".form-group").filter(has=question).filter(has=error)
    expect(next_to_it).to_be_visible()
    expect(question).to_be_focused()
    assert page.evaluate("() => document.activeElement.name") == "question"
    expect(page.get_by_label("Your name")).to_have_value("Ruth Okafor")
    expect(page.get_by_role("textbox", name="Email")).to_have_value("ruth@example.com.au")
    expect(page.get_by_label("Postcode")).to_have_value("3000")
    expect(page.get_by_label("State or territory").locator("option:checked")).to_have_text(
        "Victoria"
    )
    expect(page.get_by_label("Your health fund").locator("option:checked")).to_have_text("HCF")
    expect(page.get_by_label("Level of extras cover").locator("option:checked")).to_have_text(
        "Top extras"
    )
    expect(page.get_by_label("Which support?").locator("option:checked")).to_have_text(PRODUCT)
    expect(page.get_by_label("I agree to Bauerfeind Australia")).to_be_checked()
    assert_accessible(page, "enquiry form with an error")
    assert page.errors == []


def open_the_product_page(page):
    page.goto("/catalogue/")
    page.get_by_role("link", name=PRODUCT).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    assert_accessible(page, "product page")


def ask_will_my_fund_cover_this(page):
    page.get_by_role("link", name="Will my health fund cover this?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Will my health fund cover this support?"
    )
    expect(page.get_by_label("Which support?").locator("option:checked")).to_have_text(PRODUCT)
    assert_accessible(page, "enquiry form")


def choose_fund_and_cover_and_see_the_indicative_answer(page, *, fund: str, cover: str):
    """The page's script asks /insurance/indicative/ and shows the answer in place: the
    document stays the same one (a marker set on it before choosing survives)."""
    page.evaluate("() => { window.beforeChoosing = true; }")
    page.get_by_label("Your health fund").select_option(label=fund)
    page.get_by_label("Level of extras cover").select_option(label=cover)

    answer = page.locator("#indicative-answer")
    expect(answer.get_by_role("heading", name=f"Indicative answer for {fund}")).to_be_visible()
    expect(answer).to_contain_text("Typical rebate")
    expect(answer).to_contain_text("only your fund can confirm")
    assert page.evaluate("() => window.beforeChoosing === true"), "the page was reloaded"
    assert_accessible(page, "enquiry form with the indicative answer")


def fill_in_the_rest_and_consent(page, *, email: str):
    page.get_by_label("Your name").fill("Mia Nguyen")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("State or territory").select_option(label="New South Wales")
    page.get_by_label("Postcode").fill("2000")
    page.get_by_label("Size, if you know it").fill("2")
    page.get_by_label("Do you have a referral").select_option(label="GP")
    page.get_by_label("Your question").fill("My GP says a back brace would help. Is it covered?")
    page.get_by_label("I agree to Bauerfeind Australia").check()


def send_and_read_the_reference(page) -> str:
    page.get_by_role("button", name="Send my enquiry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your enquiry is with us")
    reference = page.get_by_role("main").get_by_text(REFERENCE)
    expect(reference).to_be_visible()
    assert_accessible(page, "enquiry sent")
    return reference.inner_text()


def open_the_enquiry_from_the_queue(officer, *, reference: str):
    officer.goto("/dashboard/health-funds/")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Health-fund enquiries")
    assert_accessible(officer, "dashboard: enquiry queue")
    officer.get_by_label("Reference or email").fill(reference)
    officer.get_by_role("button", name="Filter").click()
    expect(officer.get_by_role("table")).to_contain_text("1 enquiry")
    officer.get_by_role("link", name=reference).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(f"Enquiry {reference}")
    expect(officer.get_by_role("definition").filter(has_text=PRODUCT)).to_contain_text("size 2")
    assert_accessible(officer, "dashboard: enquiry")


def answer_the_enquiry(officer, *, rebate: str, message: str):
    officer.get_by_label("Outcome").select_option(label="Covered")
    officer.get_by_label("Estimated rebate (AUD)").fill(rebate)
    officer.get_by_label("Message to the customer").fill(message)
    officer.get_by_role("button", name="Send the answer").click()
    expect(officer.get_by_text("Answer saved; the customer is emailed it now.")).to_be_visible()
    expect(officer.get_by_text(message)).to_be_visible()
