"""The dashboard's front page: each role's figures, and 30 days of activity."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from insurance.models import Enquiry, HealthFund
from sitewide.dashboard.figures import duration_text, enquiry_figures


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _front_page(client, email) -> str:
    client.force_login(get_user_model().objects.get(email=email))
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    return response.content.decode()


def _enquiry(*, received, answered=None, status=Enquiry.Status.NEW) -> Enquiry:
    enquiry = Enquiry.objects.create(
        name="Mia", email="mia@example.com", state="NSW", postcode="2000",
        fund=HealthFund.objects.first(), cover_level="top", referral="gp", question="?",
        consent_text="I agree", consent_version="1", consented_at=received, status=status,
    )  # fmt: skip
    Enquiry.objects.filter(pk=enquiry.pk).update(created_at=received, answered_at=answered)
    return enquiry


def test_the_officer_sees_the_open_queue_and_the_median_time_to_answer(client, demo):
    now = timezone.now()
    for hours in (1, 2, 5):  # answered within the week: the median wait is 2 hours
        received = now - timedelta(days=1, hours=hours)
        _enquiry(received=received, answered=received + timedelta(hours=hours), status="answered")
    _enquiry(received=now - timedelta(days=3), answered=now - timedelta(days=2, hours=20))
    _enquiry(received=now - timedelta(days=20), answered=now - timedelta(days=9), status="closed")
    _enquiry(received=now - timedelta(hours=3))

    figures = enquiry_figures(now=now)
    page = _front_page(client, "officer@example.com")

    assert figures["open"] == 2 and figures["answered_7_days"] == 4
    assert figures["median_time_to_answer"] == "3 h 0 min"  # waits of 1, 2, 4 and 5 hours
    assert "Health-fund enquiries" in page and "3 h 0 min" in page
    assert "Your Store Statistics" not in page  # the shop's figures are the shop manager's
    assert "Enquiries (6)" in page and "Orders (" not in page


def test_the_shop_manager_sees_oscars_figures_and_orders_per_day(client, demo):
    page = _front_page(client, "shop@example.com")

    assert "Your Store Statistics" in page and "Orders (" in page
    assert "Health-fund enquiries" not in page and "Bookings (" not in page


def test_a_consultation_lead_sees_todays_calls_and_the_queue(client, demo):
    page = _front_page(client, "lead@example.com")

    assert "Calls today" in page and "Oldest item in the queue" in page
    assert "Bookings (" in page and "Your Store Statistics" not in page


def test_the_superuser_sees_every_series(client, demo):
    page = _front_page(client, settings.DEMO_ADMIN_EMAIL)

    for series in ("Orders (", "Enquiries (", "Bookings ("):
        assert series in page


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=12, seconds=40), "12 min"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(days=2, hours=3, minutes=5), "2 days 3 h"),
        (timedelta(days=1), "1 day 0 h"),
    ],
)
def test_durations_read_naturally(delta, text):
    assert duration_text(delta) == text


def test_the_lead_sees_which_calls_led_to_orders_after_a_recommendation(client, demo):
    from oscar.core.loading import get_model
    from oscar.test.factories import create_order

    from consultations.services import recommendation_order_record, recommendation_save
    from tests.factories import BookingFactory, ExpertFactory

    dana = ExpertFactory(display_name="Dana Fitter", user__role="Consultation expert")
    size = get_model("catalogue", "Product").objects.get(upc="LT-3-TIT")
    calls = [
        BookingFactory(confirmed=True, expert=dana, starts_at=timezone.now() - timedelta(days=d))
        for d in (1, 2, 3)
    ]
    BookingFactory(confirmed=True, expert=dana, starts_at=timezone.now() - timedelta(days=40))
    for call in calls[:2]:  # recommended after two calls; an order followed one, twice
        recommendation_save(booking_id=call.pk, items=[(size.pk, 1)], note="", by=dana.user)
    for number in ("100301", "100302"):
        order = create_order(number=number)
        recommendation_order_record(booking_id=calls[0].pk, order_id=order.pk)

    page = _front_page(client, "lead@example.com")

    assert "Calls that led to orders, last 30 days" in page
    assert '<th scope="row">Dana Fitter</th><td>3</td><td>2</td><td>1</td><td>2</td>' in page
    expert_page = _front_page(client, "anna.expert@example.com")
    assert "Calls that led to orders" not in expert_page  # the leads' figure
