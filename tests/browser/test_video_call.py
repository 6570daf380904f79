"""Journey 3: a visitor books a free video fitting from the LumboTrain's page, watches the
booking go from the queue to confirmed without reloading, gets the invite by e-mail, cancels,
and the time is offered to the next visitor again. On a desktop and on a phone."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from celery import Celery
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.support import assert_accessible

ZONE = "Australia/Perth"  # not the site's default (Sydney): times must follow the visitor
ZONE_LABEL = "Perth (WA, no daylight saving)"
# Each device books its own time, so the two runs (one after the other, same site) never meet.
TIME_INDEX = {"desktop": 1, "phone": 2}
WORKER_QUEUE = "celery"  # Celery's default queue, which the site's worker consumes
WAIT = 60_000  # ms: the worker on a busy machine; generous, never a timing assertion


def test_a_visitor_books_a_video_fitting_sees_it_confirmed_and_cancels_it(
    site, new_context, device
):
    email = f"video.call.{device}@example.com.au"
    page = new_context().new_page()

    # The product page, found from the catalogue as a shopper would.
    page.goto("/catalogue/")
    page.get_by_role("link", name="LumboTrain Back Support", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LumboTrain Back Support")
    assert_accessible(page, "the LumboTrain's page")

    # Step 1: the booking form opens on the product's topic, in the site's default zone.
    page.get_by_role("link", name="Book a free video fitting").click()
    expect(page).to_have_url(re.compile(r"/consultations/book/\?product=\d+$"))
    expect(page.get_by_label("What would you like help with?")).to_have_value("back")
    assert_accessible(page, "the booking form, step 1")

    # Step 2: another time zone lists the free times in that zone.
    page.get_by_label("Your time zone").select_option(ZONE)
    with page.expect_navigation():
        page.get_by_role("button", name="Show free times").click()
    times = page.get_by_role("group", name=re.compile(r"^2\. Choose a time"))
    expect(times).to_contain_text(ZONE_LABEL)
    form_url = page.url
    assert_accessible(page, "the booking form, step 2 (free times)")

    day, time = _choose_a_saturday_time(page, TIME_INDEX[device])

    # Step 3: details without the consent are refused beside it; nothing chosen is lost.
    page.get_by_label("Your name").fill("Mia Nguyen")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Tell us briefly about the problem").fill("Which size of LumboTrain?")
    with page.expect_navigation():
        page.get_by_role("button", name="Book my call").click()
    consent = page.get_by_role("checkbox", name=re.compile("^I agree"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_consent_error")).to_contain_text("tick the box")
    expect(_time_radio(page, day, time)).to_be_checked()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    assert_accessible(page, "the booking form, step 3 (a field to correct)")
    assert page.errors == [], page.errors
    consent.check()

    # Submitted while every worker is busy: the status page shows the booking queued...
    with _worker_paused(site):
        with page.expect_navigation():
            page.get_by_role("button", name="Book my call").click()
        expect(page).to_have_url(re.compile(r"/consultations/booking/[\w-]+/$"))
        status_url = page.url
        status = page.locator(".booking-status")
        expect(status).to_contain_text(
            re.compile(rf"finding an expert for {day} at {time}", re.IGNORECASE)
        )
        expect(status).to_contain_text(re.compile(r"number \d+ in the queue"))
        assert_accessible(page, "the booking's page, queued")
        page.evaluate("window.__stillTheSamePage = true")

    # ...and turns to confirmed once a worker is free, without leaving or reloading the page.
    expect(status).to_contain_text("Your call is confirmed", timeout=WAIT)
    expect(status).to_contain_text(re.compile(rf"{day} \d{{4}}, {time}", re.IGNORECASE))
    assert page.evaluate("window.__stillTheSamePage === true"), "the page was reloaded"
    assert page.url == status_url
    assert_accessible(page, "the booking's page, confirmed")

    # The confirmation e-mail carries the invite for the time chosen.
    starts_at = _instant(day, time)
    confirmation = site.wait_for_mail(to=email, subject=f"Your video call on {day}")
    assert "cancelled" not in confirmation["Subject"]
    invite = _calendar(confirmation)
    assert invite["METHOD"] == "REQUEST"
    assert _event(invite)["DTSTART"].dt == starts_at

    # While booked, the time is gone for everyone else (on Saturdays one expert covers backs).
    other = new_context().new_page()
    other.goto(form_url)
    expect(_day_group(other, day)).to_be_visible()
    expect(_time_radio(other, day, time)).to_have_count(0)

    # Cancelling asks first, then the page says so and the cancellation is e-mailed.
    page.get_by_text("Cancel the call", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, cancel the call").click()
    expect(page.locator(".booking-status")).to_contain_text("This booking is cancelled")
    assert_accessible(page, "the booking's page, cancelled")
    cancellation = site.wait_for_mail(to=email, subject="is cancelled")
    assert _calendar(cancellation)["METHOD"] == "CANCEL"
    assert _event(_calendar(cancellation))["DTSTART"].dt == starts_at

    # The time is free again: a new visitor is offered it.
    newcomer = new_context().new_page()
    newcomer.goto(form_url)
    expect(_time_radio(newcomer, day, time)).to_have_count(1)
    for each in (page, other, newcomer):
        assert each.errors == [], each.errors


def _day_group(page, day: str):
    return page.get_by_role("group", name=day, exact=True)


def _time_radio(page, day: str, time: str):
    return _day_group(page, day).get_by_role("radio", name=time, exact=True)


def _choose_a_saturday_time(page, index: int) -> tuple[str, str]:
    """A Saturday neither first nor last in the list (well clear of the minimum notice and of
    the two-week horizon), its `index`-th time; returns (day, time) as the page shows them."""
    days = page.get_by_role("group", name=re.compile(r"^\w+day \d+ \w+$"))
    names = [days.nth(i).get_attribute("aria-labelledby") for i in range(days.count())]
    labels = [page.locator(f"#{name}").inner_text() for name in names]
    saturday = next(day for day in labels[1:-1] if day.startswith("Saturday"))
    radio = _day_group(page, saturday).get_by_role("radio").nth(index)
    time = page.locator(f"label[for='{radio.get_attribute('id')}']").inner_text()
    radio.check()
    return saturday, time


def _instant(day: str, time: str) -> datetime:
    """ "Saturday 5 December", "7:40 am" in the visitor's zone, as UTC (the year is the one
    that puts the day within the two weeks ahead)."""
    zone = ZoneInfo(ZONE)
    today = datetime.now(zone)
    for year in (today.year, today.year + 1):
        local = datetime.strptime(f"{day} {year} {time}", "%A %d %B %Y %I:%M %p")
        if local.strftime("%A") == day.split()[0] and local.date() >= today.date():
            return local.replace(tzinfo=zone).astimezone(UTC)
    raise AssertionError(f"{day} is not within the next year")


def _calendar(message) -> Calendar:
    invites = [a for a in message.iter_attachments() if a.get_content_type() == "text/calendar"]
    assert len(invites) == 1, f"{message['Subject']}: {len(invites)} calendar attachments"
    assert invites[0].get_filename().endswith(".ics")
    return Calendar.from_ical(invites[0].get_content())


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


@contextmanager
def _worker_paused(site):
    """The site's Celery worker stops taking work from the queue, as when every worker is busy,
    so the booking can be seen waiting; it takes work again on leaving (Celery's remote
    control, as an operator would: `celery control cancel_consumer celery`)."""
    redis_url = site.env.get("REDIS_URL") or f"redis://127.0.0.1:{site.env['LOCAL_REDIS_PORT']}/0"
    app = Celery(broker=redis_url)
    try:
        # limit=1: the site has one worker; without it Celery waits out the whole timeout
        # for more replies (10 s each way).
        assert app.control.cancel_consumer(WORKER_QUEUE, reply=True, timeout=10, limit=1), (
            "the site's worker did not answer"
        )
        try:
            yield
        finally:
            app.control.add_consumer(WORKER_QUEUE, reply=True, timeout=10, limit=1)
    finally:
        app.close()
