"""The dashboard's customer page (sitewide/dashboard/users/): a customer's orders, video calls
and the expert's recommendations for those who may see customers; the health-fund enquiries
whole only for officers, each view of one audited; nothing of them for an unproven address."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from oscar.test.factories import create_order

from accounts.models import EmailVerification
from consultations.services import recommendation_order_record, recommendation_save
from core.clock import now
from insurance.models import AuditEntry
from tests.factories import BookingFactory, CustomerFactory, EnquiryFactory, ExpertFactory

SECRET = "ZQX-DISC-4471"  # what the customer told the health-fund team


@pytest.fixture
def customer(db, load_demo):
    """Mia: an order, a call Dana held and recommended a support after (an order followed),
    and an enquiry about her disc; her address proven."""
    from oscar.core.loading import get_model

    load_demo()
    mia = CustomerFactory(username="mia", email="mia@example.com.au")
    EmailVerification.objects.create(user=mia, email=mia.email, verified_at=now())
    first = create_order(number="100201", user=mia)
    dana = ExpertFactory(display_name="Dana Fitter", user__role="Consultation expert")
    call = BookingFactory(
        confirmed=True,
        expert=dana,
        email="MIA@example.com.au",
        starts_at=now() - timedelta(hours=1),
    )
    size = get_model("catalogue", "Product").objects.get(upc="LT-3-TIT")
    recommendation_save(booking_id=call.pk, items=[(size.pk, 1)], note="", by=dana.user)
    second = create_order(number="100202", user=mia)
    recommendation_order_record(booking_id=call.pk, order_id=second.pk)
    enquiry = EnquiryFactory(email="mia@example.com.au", question=f"About my disc {SECRET}")
    return mia, first, call, enquiry


def _page(client, email, customer) -> str:
    client.force_login(get_user_model().objects.get(email=email))
    response = client.get(f"/dashboard/users/{customer.pk}/")
    assert response.status_code == 200, email
    return response.content.decode()


def test_the_shop_manager_sees_orders_calls_and_recommendations_but_not_the_enquiry(
    client, customer
):
    mia, first, call, enquiry = customer

    page = _page(client, "shop@example.com", mia)

    assert first.number in page and "Dana Fitter" in page
    assert "Video calls" in page and call.get_status_display() in page
    assert "LumboTrain" in page and 'href="/dashboard/orders/100202/"' in page
    assert "1 enquiry sent with this address" in page
    assert "for health-fund officers only" in page
    assert SECRET not in page and enquiry.reference not in page
    assert not AuditEntry.objects.filter(enquiry=enquiry, action=AuditEntry.Action.VIEWED)


def test_the_officer_reads_the_enquiry_and_the_view_is_audited(client, customer):
    mia, _, _, enquiry = customer

    page = _page(client, "officer@example.com", mia)

    assert SECRET in page and enquiry.reference in page
    viewed = AuditEntry.objects.get(enquiry=enquiry, action=AuditEntry.Action.VIEWED)
    assert viewed.actor.email == "officer@example.com"
    assert viewed.detail == "on the customer's page"


def test_nothing_made_with_an_unproven_address_shows(client, customer):
    mia, first, call, enquiry = customer
    impostor = CustomerFactory(username="imp", email="mia@example.com.au")  # never proved it

    page = _page(client, "officer@example.com", impostor)

    assert "has not proven" in page
    assert SECRET not in page and "Dana Fitter" not in page and first.number not in page


@pytest.mark.parametrize(
    "email", ["editor@example.com", "lead@example.com", "anna.expert@example.com"]
)
def test_other_roles_cannot_open_the_customer_page(client, customer, email):
    mia, *_ = customer
    client.force_login(get_user_model().objects.get(email=email))

    assert client.get(f"/dashboard/users/{mia.pk}/").status_code == 403
    assert client.get("/dashboard/users/").status_code == 403
