"""The public forms with the keyboard alone: every field is reached with Tab and filled by
typing, choices are made with the arrow keys and the space bar, and the form is sent with
Enter. A form sent with mistakes puts focus on the first field to fix, and each error is
announced with its field (aria-describedby points at the message beside it)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible

FOCUSED_LABEL = """() => {
    const el = document.activeElement;
    const label = el.labels && el.labels[0];
    return label ? label.textContent.trim() : (el.textContent || el.value || '').trim();
}"""
MAX_TABS = 80


def tab_to(page, label: str) -> None:
    """Press Tab until the control whose label starts with `label` has focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_LABEL).startswith(label):
            return
    raise AssertionError(f"Tab never reached {label!r}")


def type_into(page, label: str, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def choose(page, label: str, option: str) -> None:
    """A <select>: focus it with Tab and type the start of the option, as a user does."""
    tab_to(page, label)
    page.keyboard.type(option)


def error_of(page, control) -> str:
    """The message announced with a control: the text of what aria-describedby points at."""
    described_by = control.get_attribute("aria-describedby") or ""
    texts = [
        page.locator(f"[id='{element_id}']").inner_text()
        for element_id in described_by.split()
        if element_id.endswith("_error")
    ]
    return " ".join(texts)


@pytest.mark.parametrize("device", ["desktop"], indirect=True)  # keyboards are on desktops
def test_a_video_call_is_booked_with_the_keyboard_alone(page, site):
    page.goto("/consultations/book/")
    choose(page, "What would you like help with?", "Back")
    choose(page, "Your time zone", "Perth")
    assert "topic=" not in page.url  # choosing moved nothing (no change of context on input)
    tab_to(page, "Show free times")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "The earliest available")
    page.keyboard.press("ArrowDown")  # the first free time after "earliest"
    chosen = page.evaluate("() => document.activeElement.value")
    type_into(page, "Your name", "Kim Keyboard")
    type_into(page, "Email", "kim.keyboard@example.com")
    type_into(page, "Tell us briefly about the problem", "Sore lower back after gardening.")
    tab_to(page, "I agree")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("video call")
    assert "/consultations/booking/" in page.url
    assert chosen != "earliest"
    assert page.errors == []


@pytest.mark.parametrize("device", ["desktop"], indirect=True)
def test_a_booking_sent_with_mistakes_focuses_the_first_and_announces_each(page, site):
    page.goto("/consultations/book/?topic=back&time_zone=Australia/Sydney")
    type_into(page, "Email", "not-an-email")
    tab_to(page, "Book my call")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")

    assert navigation.value.status == 400
    name = page.get_by_label("Your name")
    email = page.get_by_role("textbox", name="Email")
    expect(name).to_be_focused()  # the first field to fix
    for control in (name, email, page.get_by_label("I agree")):
        expect(control).to_have_attribute("aria-invalid", "true")
        assert error_of(page, control), "an error announced with its field"
    expect(email).to_have_value("not-an-email")  # nothing typed is lost
    assert_accessible(page, "the booking form with errors")


@pytest.mark.parametrize("device", ["desktop"], indirect=True)
def test_a_health_fund_enquiry_is_sent_with_the_keyboard_alone(page, site):
    page.goto("/insurance/enquiry/")
    type_into(page, "Your name", "Kim Keyboard")
    type_into(page, "Email", "kim.enquiry@example.com")
    choose(page, "State or territory", "New South")
    type_into(page, "Postcode", "2000")
    choose(page, "Your health fund", "Bupa")
    choose(page, "Level of extras cover", "Top")
    choose(page, "Which support?", "LumboTrain")
    choose(page, "Do you have a referral", "GP")
    type_into(page, "Your question", "Does my top cover pay towards a back brace?")
    tab_to(page, "I agree")
    page.keyboard.press("Space")
    tab_to(page, "Send my enquiry")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_text("PHI-").first).to_be_visible()
    assert page.errors == []


@pytest.mark.parametrize("device", ["desktop"], indirect=True)
def test_the_checkout_address_with_mistakes_focuses_the_first_and_announces_each(page, site):
    page.goto("/catalogue/")
    page.get_by_role("link", name="LumboTrain Back Support").first.click()
    variants = page.get_by_label("Size and colour")
    variants.select_option(
        variants.locator("option:not([disabled]):not([value=''])").first.get_attribute("value")
    )
    page.get_by_role("button", name="Add to basket").click()
    page.goto("/checkout/")
    type_into(page, "My email address is", "kim.checkout@example.com")
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkout/shipping-address/")
    type_into(page, "First name", "Kim")
    type_into(page, "Last name", "Keyboard")
    type_into(page, "Street address", "1 Martin Place")
    type_into(page, "Suburb or town", "Sydney")
    choose(page, "State or territory", "New South")
    type_into(page, "Postcode", "3000")  # a Victorian postcode: the server says so
    type_into(page, "Phone", "12")  # too short for an Australian number
    tab_to(page, "Continue")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")

    assert navigation.value.status == 400
    invalid = page.locator("[aria-invalid='true']")
    assert invalid.count() == 2
    expect(page.get_by_label("Postcode")).to_be_focused()  # the first of the two
    for index in range(invalid.count()):
        assert error_of(page, invalid.nth(index)), invalid.nth(index).get_attribute("name")
    expect(page.get_by_label("Postcode")).to_have_value("3000")
    expect(page.get_by_label("Street address")).to_have_value("1 Martin Place")
    assert_accessible(page, "the shipping address with errors")


@pytest.mark.parametrize("device", ["desktop"], indirect=True)
def test_a_customer_signs_in_with_an_emailed_code_by_keyboard_alone(page, site):
    """accounts/signin.py: a wrong code is refused on the page, focused and announced; the
    e-mailed code then signs the customer in."""
    email = "kim.code@example.com"
    page.goto("/accounts/login/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Register"))
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password", exact=True).fill("a long walk on the beach 42")
    form.get_by_label("Confirm password").fill("a long walk on the beach 42")
    form.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Thanks for registering!")).to_be_visible()
    page.context.clear_cookies()  # signed out

    page.goto("/accounts/sign-in-by-email/")
    type_into(page, "Your e-mail address", email)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(email)
    assert_accessible(page, "enter your code")
    type_into(page, "The 6-digit code", "000000")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")

    assert navigation.value.status == 400
    code_field = page.get_by_label("The 6-digit code from the e-mail")
    expect(code_field).to_be_focused()
    expect(code_field).to_have_attribute("aria-invalid", "true")
    assert "not right" in error_of(page, code_field)
    assert_accessible(page, "a wrong code")

    mail = site.wait_for_mail(to=email, subject="code")
    code = re.search(r"\b(\d{6})\b", mail.get_body(("plain",)).get_content())[1]
    page.keyboard.press("Control+A")
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/" in page.url and "sign-in" not in page.url
    expect(page.locator("#top_page").get_by_role("link", name="Account")).to_be_visible()
    assert page.errors == []
