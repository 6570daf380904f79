"""One customer, one thread (issue 17): a guest reads the back-spasms article, checks a health
fund's cover, books a fitting call and buys the LumboTrain, all with one e-mail address; then
registers with that address, proves it and finds all three in the account. The expert holds
the call and recommends two supports in given sizes; the customer puts both in the basket with
one click and buys them. The editor sees the order counted against the article the visit began
with, and a shop manager's view of the customer shows the orders and the call but nothing of
what the enquiry says.

One story per device (desktop and phone), each with its own customer e-mail address and name,
so one run's e-mails and calls never satisfy the other's waits. axe runs on every page of the
account, the e-mail verification and the recommendation on the way."""

import re

from playwright.sync_api import Expect

from tests.browser.support import assert_accessible, log_in
from tests.browser.test_reader_to_buyer import (
    ARTICLE,
    PRODUCT,
    add_the_size_to_the_basket,
    check_out_as_a_guest,
    choose_standard_delivery,
    find_my_size,
    open_the_product_card_in_the_article,
    pay_by_bank_transfer,
    read_the_article_from_the_latest_articles,
    read_the_confirmation,
    review_the_basket,
    ship_to_sydney,
    visit_the_home_page,
)
from tests.waiting import wait_for

# This module's own `expect`: as patient as the browser context's actions (20 s), not the 5 s
# default, so a busy machine never fails a step that would have passed.
expect = Expect()
expect.set_options(timeout=20_000)

CUSTOMER_NAME = {"desktop": "Mia Nguyen", "phone": "Ava Tran"}  # apart on the expert's board
PASSWORD = "Lumbar-Support-2031"
# What the customer writes in the enquiry's free-text fields: health details that only the
# health-fund team may read, never a shop manager.
QUESTION = "My physio found a bulging disc at L4 and wants me braced"
REFERRAL_DETAILS = "Referred by Dr Okonkwo at Glebe Physiotherapy"
REFERENCE = re.compile(r"PHI-[2-9A-HJKMNP-Z]{6}")  # insurance.models.new_reference
# The demo experts (README, "Demo accounts"): the name the customer is told, the e-mail the
# expert signs in with.
EXPERTS = {
    "Anna Richter": "anna.expert@example.com",
    "Ben Walker": "ben.expert@example.com",
    "Chloe Tan": "chloe.expert@example.com",
    "Dan Murphy": "dan.expert@example.com",
}
# The demo catalogue has one support with sizes (the LumboTrain, 7 sizes in 2 colours): the
# expert recommends two of its variants, each a support in a size and colour of its own.
RECOMMENDED = (f"{PRODUCT}, size 2, black", f"{PRODUCT}, size 3, titanium")
NOTE = "Size 2 for every day; the firmer size 3 for long drives."
ARTICLE_FIGURES = "What each article led to, last 30 days"
FIGURES = ("Readers", "Product views", "Fund checks", "Calls booked", "Orders")


def test_one_customer_from_the_article_to_the_expert_recommended_order(new_context, site, device):
    customer = f"journey-{device}@example.com.au"
    name = CUSTOMER_NAME[device]
    page = new_context().new_page()
    # What the article had led to before this visit (the other device's run counts there too).
    editor = log_in(new_context(), "editor@example.com")
    before = figures_of_the_article(editor) or dict.fromkeys(FIGURES, 0)

    # As a guest: the article first, then the support it recommends.
    visit_the_home_page(page)
    read_the_article_from_the_latest_articles(page)
    open_the_product_card_in_the_article(page)
    reference = check_my_funds_cover(page, email=customer, name=name)
    status_url = book_a_fitting_call(page, email=customer, name=name)
    expert = read_the_call_confirmation(site, email=customer)
    size = find_my_size(page, waist_cm="85")
    add_the_size_to_the_basket(page, size=size)
    review_the_basket(page, size=size)
    check_out_as_a_guest(page, email=customer)
    first_order = buy_what_is_in_the_basket(page, name=name, items=[f"{PRODUCT}, size {size}"])

    # With an account for that address, proven: all three in the account.
    register(page, email=customer)
    see_that_the_address_needs_verifying(page)
    verify_the_address(page, site, email=customer)
    see_the_enquiry_in_the_account(page, reference=reference)
    see_the_call_in_the_account(page, expert=expert)
    see_the_order_in_the_account(page, order_number=first_order)

    # The call is held; the expert recommends two supports in given sizes.
    the_time_of_the_call_comes(site, status_url=status_url)
    expert_page = log_in(new_context(), EXPERTS[expert])
    open_the_call_from_todays_board(expert_page, customer_name=name)
    mark_the_call_held(expert_page)
    recommend_the_supports(expert_page, supports=RECOMMENDED, note=NOTE)

    # The customer buys both, in the sizes chosen, with one click into the basket.
    open_the_recommendation_from_the_email(page, site, email=customer, expert=expert)
    put_them_all_in_the_basket(page, supports=RECOMMENDED)
    second_order = buy_what_is_in_the_basket(page, name=name, items=RECOMMENDED)

    # Staff: the editor sees the visit's order against the article; a shop manager the customer.
    see_the_order_counted_against_the_article(editor, before=before)
    manager = log_in(new_context(), "shop@example.com")
    open_the_customer(manager, email=customer)
    see_orders_and_call_but_not_the_enquirys_contents(
        manager, orders=[first_order, second_order], expert=expert
    )
    for each in (page, editor, expert_page, manager):
        assert each.errors == [], each.errors


# --------------------------------------------------------------------------------------------
# As a guest
# --------------------------------------------------------------------------------------------


def check_my_funds_cover(page, *, email: str, name: str) -> str:
    """From the LumboTrain's page, the enquiry form (test_health_fund_check.py fills it the
    same way), with a question and referral details only the health-fund team may read; then
    back to the support. Returns the enquiry's reference."""
    page.get_by_role("link", name="Will my health fund cover this?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Will my health fund cover this support?"
    )
    page.get_by_label("Your health fund").select_option(label="Bupa")
    page.get_by_label("Level of extras cover").select_option(label="Mid extras")
    expect(page.get_by_role("heading", name="Indicative answer for Bupa")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("State or territory").select_option(label="New South Wales")
    page.get_by_label("Postcode").fill("2000")
    page.get_by_label("Size, if you know it").fill("2")
    page.get_by_label("Do you have a referral").select_option(label="Physiotherapist")
    page.get_by_label("Referral details (optional)").fill(REFERRAL_DETAILS)
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_label("I agree to Bauerfeind Australia").check()
    page.get_by_role("button", name="Send my enquiry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your enquiry is with us")
    reference = page.get_by_role("main").get_by_text(REFERENCE)
    expect(reference).to_be_visible()
    number = reference.inner_text()
    page.get_by_role("link", name=f"Back to {PRODUCT}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    return number


def book_a_fitting_call(page, *, email: str, name: str) -> str:
    """The earliest free time (test_video_call.py shows the form in full); the page turns
    to confirmed by itself once the worker has given the call an expert. Then back to the
    support. Returns the call's own page (its address holds the booking's token)."""
    product_url = page.url
    page.get_by_role("link", name="Book a free video fitting").click()
    expect(page.get_by_label("What would you like help with?")).to_have_value("back")
    with page.expect_navigation():
        page.get_by_role("button", name="Show free times").click()
    expect(page.get_by_role("radio", name=re.compile("^The earliest available"))).to_be_checked()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Tell us briefly about the problem").fill("Which LumboTrain size?")
    page.get_by_role("checkbox", name=re.compile("^I agree")).check()
    page.get_by_role("button", name="Book my call").click()

    expect(page).to_have_url(re.compile(r"/consultations/booking/[\w-]+/$"))
    confirmed = page.get_by_text("Your call is confirmed.")
    expect(confirmed).to_be_visible(timeout=60_000)  # the worker, on a busy machine
    status_url = page.url
    page.goto(product_url)  # back to the support, as from the browser's history
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    return status_url


def read_the_call_confirmation(site, *, email: str) -> str:
    """The confirmation e-mail names the expert the worker gave the call. Returns the name."""
    mail = site.wait_for_mail(to=email, subject="Your video call on")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    expert = re.search(r"^With: (.+)$", text, re.MULTILINE).group(1).strip()
    assert expert in EXPERTS, f"the call is with {expert!r}, not a demo expert"
    return expert


def buy_what_is_in_the_basket(page, *, name: str, items) -> str:
    """From the shipping address to the thank-you page (as a guest after "Who are you?", or
    signed in, which goes straight to the address), by bank transfer. Returns the order
    number."""
    ship_to_sydney(page, name=name)
    choose_standard_delivery(page)
    pay_by_bank_transfer(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview order")
    for item in items:
        expect(page.get_by_role("heading", name=item)).to_be_visible()
    expect(page.get_by_text(name)).to_be_visible()
    page.get_by_role("button", name="Place order").click()
    order_number, _ = read_the_confirmation(page)
    return order_number


# --------------------------------------------------------------------------------------------
# The account
# --------------------------------------------------------------------------------------------


def register(page, *, email: str):
    """Oscar's register form, beside its log-in form on the same page, from the shop (the
    thank-you page is the checkout's, without the account links)."""
    page.get_by_role("link", name="Continue shopping").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Back pain shouldn't stop your day")
    open_from_the_account_menu(page, "Login or register")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert_accessible(page, "log in or register")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Register"))
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Confirm password").fill(PASSWORD)
    form.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Thanks for registering!")).to_be_visible()
    open_from_the_account_menu(page, "Account")
    expect(page.get_by_role("link", name="Health-fund enquiries")).to_be_visible()
    assert_accessible(page, "account: profile")


def open_from_the_account_menu(page, link: str):
    """The account links at the top of every shop page: on a phone, behind their button."""
    target = page.get_by_role("link", name=link, exact=True)
    page.wait_for_load_state("load")  # the page's scripts, which open the menu, have run
    if not target.is_visible():
        hidden = page.get_by_role("link", name=link, exact=True, include_hidden=True)
        menu = page.get_by_role("navigation").filter(has=hidden)
        menu.get_by_role("button", name="Toggle navigation").click()
    target.click()


def see_that_the_address_needs_verifying(page):
    """Until the address is proven, neither tab shows anything made with it as a guest."""
    for tab in ("Video calls", "Health-fund enquiries"):
        page.get_by_role("link", name=tab).click()
        needs = page.get_by_role("status").filter(has_text="is your e-mail address")
        expect(needs).to_contain_text("including before you had an account")
        expect(page.get_by_role("main")).not_to_contain_text(REFERENCE)
        assert_accessible(page, f"account: {tab}, address not yet verified")


def verify_the_address(page, site, *, email: str):
    page.get_by_role("button", name="E-mail me a confirmation link").click()
    expect(page.get_by_text(f"We have e-mailed a link to {email}")).to_be_visible()
    assert_accessible(page, "account: verification link sent")

    mail = site.wait_for_mail(to=email, subject="Confirm your e-mail address")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/verify-email/\S+/", text).group(0)
    page.goto(link)
    expect(page.get_by_text("Your e-mail address is confirmed")).to_be_visible()
    assert_accessible(page, "account: address verified")


def see_the_enquiry_in_the_account(page, *, reference: str):
    page.get_by_role("link", name="Health-fund enquiries").click()
    enquiry = page.get_by_role("region", name=f"Enquiry {reference}")
    expect(enquiry).to_contain_text("Bupa")
    expect(enquiry).to_contain_text(f"{PRODUCT}, size 2")
    assert_accessible(page, "account: health-fund enquiries")


def see_the_call_in_the_account(page, *, expert: str):
    page.get_by_role("link", name="Video calls").click()
    expect(page.get_by_role("main")).to_contain_text(f"with {expert}: confirmed")
    assert_accessible(page, "account: video calls")


def see_the_order_in_the_account(page, *, order_number: str):
    """The order placed as a guest, attached to the account once its address is proven."""
    page.get_by_role("link", name="Order History").click()
    expect(page.get_by_role("link", name=order_number, exact=True)).to_be_visible()
    assert_accessible(page, "account: order history")


# --------------------------------------------------------------------------------------------
# The expert
# --------------------------------------------------------------------------------------------


def the_time_of_the_call_comes(site, *, status_url: str):
    """What waiting for the call would do. A call is booked at least
    BOOKING_MINIMUM_NOTICE_HOURS ahead, and the dashboard lets the expert mark it held or
    recommend supports only once it has started; the site runs in its own processes on the
    real clock, which the `clock` fixture cannot move. So the call's start is moved to now
    (its length kept), through the site's own models, as time passing would have made it."""
    token = status_url.rstrip("/").rsplit("/", 1)[-1]
    script = (
        "from datetime import timedelta\n"
        "from core import clock\n"
        "from consultations.models import Booking\n"
        f"call = Booking.objects.get(token={token!r}, status='confirmed')\n"
        "start = clock.now() - timedelta(seconds=30)\n"
        "end = start + (call.ends_at - call.starts_at)\n"
        "print(Booking.objects.filter(pk=call.pk).update(starts_at=start, ends_at=end))\n"
    )
    assert site.shell(script) == "1"


def open_the_call_from_todays_board(expert_page, *, customer_name: str):
    expert_page.goto("/dashboard/consultations/")
    expect(expert_page.get_by_role("heading", level=1)).to_have_text("Consultations today")
    expert_page.get_by_role("link", name=customer_name, exact=True).click()
    expect(expert_page.get_by_role("heading", level=1)).to_contain_text(customer_name)
    assert_accessible(expert_page, "dashboard: the call")


def mark_the_call_held(expert_page):
    expert_page.get_by_role("button", name="The call was held").click()
    expect(expert_page.get_by_text("Marked completed.")).to_be_visible()
    expect(expert_page.get_by_role("heading", level=1)).to_contain_text("Completed")


def recommend_the_supports(expert_page, *, supports, note: str):
    """Each support a variant (size and colour) chosen in its own row of the form."""
    for n, support in enumerate(supports, start=1):
        expert_page.get_by_label(f"Support {n}", exact=True).select_option(label=support)
    expert_page.get_by_label("Note for the customer (optional)").fill(note)
    expert_page.get_by_role("button", name="Recommend and e-mail the customer").click()
    expect(expert_page.get_by_text("Recommended. The customer is e-mailed")).to_be_visible()
    recommended = expert_page.get_by_role("heading", name="Recommended", exact=True)
    expect(recommended).to_be_visible()
    for support in supports:
        expect(expert_page.get_by_text(f"1 × {support}", exact=True)).to_be_visible()
    assert_accessible(expert_page, "dashboard: the call, with its recommendation")


# --------------------------------------------------------------------------------------------
# The customer again, signed in
# --------------------------------------------------------------------------------------------


def open_the_recommendation_from_the_email(page, site, *, email: str, expert: str):
    mail = site.wait_for_mail(to=email, subject="recommendation after your video call")
    assert mail["Subject"] == f"{expert}'s recommendation after your video call"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/recommendation/\S+/", text).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your expert's recommendation")
    expect(page.get_by_role("main")).to_contain_text(f"{expert} recommends")
    expect(page.get_by_role("main")).to_contain_text(NOTE)
    assert_accessible(page, "the expert's recommendation")


def put_them_all_in_the_basket(page, *, supports):
    for support in supports:
        expect(page.get_by_role("listitem").filter(has_text=support)).to_contain_text("1 ×")
    page.get_by_role("button", name="Put them all in my basket").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Basket")
    expect(page.get_by_text(f"Added {len(supports)} recommended support(s)")).to_be_visible()
    for support in supports:
        expect(page.get_by_role("heading", name=support)).to_be_visible()
        expect(page.get_by_label(f"Quantity of {support}")).to_have_value("1")
    page.get_by_role("link", name="Proceed to checkout").click()


# --------------------------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------------------------


def figures_of_the_article(editor) -> dict[str, int] | None:
    """The article's row in the editor's list (/dashboard/articles/), by column heading; None
    while the list has no such row (nobody has read it in 30 days)."""
    editor.goto("/dashboard/articles/")
    expect(editor.get_by_role("heading", level=1)).to_have_text("Articles")
    table = editor.get_by_role("table", name=ARTICLE_FIGURES)
    if table.count() == 0:
        return None
    row = table.get_by_role("row").filter(
        has=editor.get_by_role("rowheader", name=ARTICLE, exact=True)
    )
    if row.count() == 0:
        return None
    headings = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    cells = row.first.locator(":scope > th, :scope > td").all_inner_texts()
    return {f: int(re.sub(r"\D", "", cells[headings.index(f)]) or 0) for f in FIGURES}


def see_the_order_counted_against_the_article(editor, *, before: dict[str, int]):
    """Counts reach the list through Redis and beat (every ANALYTICS_FLUSH_SECONDS), once per
    visit per step: this visit read the article, viewed the support, checked a fund, booked a
    call and ordered (twice, counted once). The other device's run adds to the same row, so
    the figures are compared with those read before this visit began."""

    def counted():
        figures = figures_of_the_article(editor)
        return figures if figures and figures["Orders"] >= before["Orders"] + 1 else None

    counted.__name__ = f"this visit's order counted against {ARTICLE!r}"
    figures = wait_for(counted, timeout=60, interval=1)
    for figure in FIGURES:
        assert figures[figure] >= before[figure] + 1, (figure, before, figures)
    assert_accessible(editor, "dashboard: articles, with what each led to")


def open_the_customer(manager, *, email: str):
    manager.goto("/dashboard/users/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Customers")
    manager.get_by_label(re.compile(r"^Email:?$")).fill(email)  # Oscar's label says "Email:"
    manager.get_by_role("button", name="Search").click()
    manager.get_by_role("link", name=email, exact=True).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text(email)


def see_orders_and_call_but_not_the_enquirys_contents(manager, *, orders, expert: str):
    """The orders and the call for anyone who may see customers; of the enquiry only that it
    exists, never what the customer wrote in it (that is for health-fund officers)."""
    shown = manager.locator("body")  # the dashboard's pages have no main landmark
    for number in orders:
        expect(shown).to_contain_text(number)
    expect(manager.get_by_role("heading", name="Video calls")).to_be_visible()
    expect(shown).to_contain_text(expert)
    expect(manager.get_by_role("heading", name="Health-fund enquiries")).to_be_visible()
    expect(shown).to_contain_text("1 enquiry sent with this address")
    html = manager.content()
    for private in (QUESTION, REFERRAL_DETAILS):
        assert private not in html, f"a shop manager is shown the enquiry's {private!r}"
