"""A customer's health-fund enquiries and video calls in their account (accounts/): what they
made as a guest shows once the account's e-mail address is proven theirs, and never before,
never to someone else, never with the health details or staff notes."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from accounts.models import EmailVerification
from core.outbox import deliver
from insurance.models import EnquiryNote
from tests.factories import BookingFactory, CustomerFactory, EnquiryFactory, local_slot

SECRET = "ZQX-HEALTH-5512"  # what the customer told us about their health


@pytest.fixture
def guest_records(db):
    """Made before Mia had an account, with her address (typed in another case once)."""
    enquiry = EnquiryFactory(email="Mia@Example.com.au", question=f"My disc {SECRET}")
    EnquiryNote.objects.create(enquiry=enquiry, text=f"Staff only: {SECRET}")
    call = BookingFactory(
        confirmed=True, email="mia@example.com.au", starts_at=local_slot(days_ahead=2)
    )
    BookingFactory(email="someone.else@example.com")  # not hers
    return enquiry, call


def _signed_in(email="mia@example.com.au") -> tuple[Client, object]:
    user = CustomerFactory(username=email.split("@")[0], email=email)
    client = Client()
    client.force_login(user)
    return client, user


def _verification_link(user) -> str:
    """What the customer follows: the link in the e-mail the outbox sends."""
    deliver(kind="account.verification", pk=EmailVerification.objects.filter(user=user).get().pk)
    message = mail.outbox[-1]
    assert message.to == [user.email]
    url = re.search(r"https?://\S+/accounts/verify-email/\S+/", message.body)[0]
    return urlsplit(url).path


def test_guest_records_show_only_once_the_address_is_proven(guest_records):
    enquiry, call = guest_records
    client, user = _signed_in()

    # before the address is proven: nothing made as a guest, and a way to prove it
    for path in ("/accounts/health-fund-enquiries/", "/accounts/video-calls/"):
        page = client.get(path).content.decode()
        assert enquiry.reference not in page and call.token not in page
        assert "E-mail me a confirmation link" in page

    # when Mia asks for the link (twice: a double click sends one) and follows it
    client.post("/accounts/verify-email/", {"next": "/accounts/video-calls/"})
    client.post("/accounts/verify-email/", {"next": "/accounts/video-calls/"})
    assert EmailVerification.objects.filter(user=user).count() == 1
    response = client.get(_verification_link(user))
    assert response.status_code == 302

    # then her enquiry (with its status and what to do next) and her call are in her account
    enquiries = client.get("/accounts/health-fund-enquiries/").content.decode()
    assert f"Enquiry {enquiry.reference}" in enquiries and "Next: our health-fund team" in enquiries
    calls = client.get("/accounts/video-calls/").content.decode()
    assert call.get_absolute_url() in calls and "Add to calendar (.ics)" in calls
    assert "someone.else" not in calls
    # and never what she told us about her health, nor staff notes
    assert SECRET not in enquiries + calls


def test_someone_who_registers_with_another_persons_address_sees_nothing(guest_records):
    enquiry, call = guest_records
    mia_client, mia = _signed_in()
    mia_client.post("/accounts/verify-email/")
    link = _verification_link(mia)

    # an impostor cannot use Mia's link (it is her account's), nor make one up
    impostor, _ = _signed_in("mia.impostor@example.com")
    assert impostor.get(link).status_code == 404
    assert impostor.get("/accounts/verify-email/made-up-token/").status_code == 404
    assert call.token not in impostor.get("/accounts/video-calls/").content.decode()


def test_a_link_works_once_within_its_hours_and_a_changed_address_needs_proving_again(
    guest_records, clock, settings
):
    enquiry, _ = guest_records
    clock.set("2027-05-03 09:00")
    client, user = _signed_in()
    client.post("/accounts/verify-email/")
    link = _verification_link(user)

    # too late: refused
    clock.move(hours=settings.ACCOUNT_VERIFICATION_HOURS, seconds=1)
    assert client.get(link).status_code == 404
    clock.move(minutes=-1)  # in time: works, once
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 404
    assert enquiry.reference in client.get("/accounts/health-fund-enquiries/").content.decode()

    # when she changes her address, nothing shows until the new one is proven
    user.email = "mia.nguyen@example.org"
    user.save()
    page = client.get("/accounts/health-fund-enquiries/").content.decode()
    assert enquiry.reference not in page and "E-mail me a confirmation link" in page


def test_the_pages_are_for_signed_in_customers(client, db):
    for path in ("/accounts/health-fund-enquiries/", "/accounts/video-calls/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/accounts/verify-email/").status_code == 302
    assert not EmailVerification.objects.exists()


def test_the_account_menu_links_both_pages(db):
    client, _ = _signed_in()
    page = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/health-fund-enquiries/"' in page
    assert 'href="/accounts/video-calls/"' in page


def test_a_proven_address_shows_an_answered_enquiry_with_its_next_step(db, guest_records):
    enquiry, _ = guest_records
    enquiry.outcome, enquiry.answer_message = "partly", "Bupa Top Extras usually pays 60%."
    enquiry.status = "answered"
    enquiry.answered_at = enquiry.created_at + timedelta(hours=3)
    enquiry.save()
    client, user = _signed_in()
    client.post("/accounts/verify-email/")
    client.get(_verification_link(user))

    page = client.get("/accounts/health-fund-enquiries/").content.decode()
    assert "Bupa Top Extras usually pays 60%." in page
    assert "your fund decides what it pays" in page


def test_the_fund_answer_leads_to_the_support_in_its_size_and_a_fitting_call(db, load_demo):
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    from insurance.services import enquiry_answer

    load_demo()
    product = get_model("catalogue", "Product").objects.get(upc="LUMBOTRAIN")
    enquiry = EnquiryFactory(product=product, size="3")
    officer = get_user_model().objects.get(email="officer@example.com")
    enquiry_answer(
        enquiry_id=enquiry.pk,
        outcome="partly",
        estimated_rebate=Decimal("80.00"),
        message="Pays 50%.",
        by=officer,
    )
    deliver(kind="enquiry.answer", pk=enquiry.pk)

    answer = mail.outbox[-1]
    assert f"{product.get_absolute_url()}" in answer.body and "in size 3" in answer.body
    fitting = re.search(r"https?://\S+/consultations/book/\?product=\d+", answer.body)[0]
    page = Client().get(urlsplit(fitting).path + "?" + urlsplit(fitting).query)
    assert page.status_code == 200 and product.get_title() in page.content.decode()


def test_a_fitting_booked_from_the_fund_answer_carries_the_enquiry_only_with_consent(db, load_demo):
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    from consultations.models import Booking
    from insurance.services import enquiry_answer
    from tests.factories import BookingFormFactory, ExpertFactory

    load_demo()
    anna = ExpertFactory(display_name="Anna Fit", user__role="Consultation expert")
    product = get_model("catalogue", "Product").objects.get(upc="LUMBOTRAIN")
    enquiry = EnquiryFactory(product=product, size="3")
    officer = get_user_model().objects.get(email="officer@example.com")
    enquiry_answer(
        enquiry_id=enquiry.pk, outcome="covered", estimated_rebate=Decimal("90"), message="",
        by=officer,
    )  # fmt: skip
    deliver(kind="enquiry.answer", pk=enquiry.pk)
    link = urlsplit(re.search(r"https?://\S+/consultations/book/\?\S+", mail.outbox[-1].body)[0])

    # the booking page started from the answer asks whether the expert may see the enquiry;
    # the link carries the size sealed (access logs print queries), the form has it
    assert "size=3" not in link.query and "size=" in link.query
    page = Client().get(f"{link.path}?{link.query}&topic=back").content.decode()
    assert "Let the expert see my health-fund enquiry" in page
    assert f'value="{enquiry.reference}"' in page
    assert '<input type="hidden" name="size" value="3"' in page

    def book(**extra):
        data = BookingFormFactory(enquiry_reference=enquiry.reference, size="3", **extra)
        return Client().post("/consultations/book/", {**data, "product": product.pk})

    # not ticked: nothing of it goes with the booking
    assert book(email="mia.one@example.com").status_code == 302
    assert Booking.objects.get(email="mia.one@example.com").enquiry_reference == ""
    # ticked: the expert sees the reference, the support and the size
    assert book(email="mia.two@example.com", share_enquiry="on").status_code == 302
    booking = Booking.objects.get(email="mia.two@example.com")
    assert (booking.enquiry_reference, booking.size) == (enquiry.reference, "3")
    booking.expert = anna
    booking.save()
    staff = Client()
    staff.force_login(anna.user)
    detail = staff.get(f"/dashboard/consultations/bookings/{booking.pk}/").content.decode()
    assert f"Started from health-fund enquiry <strong>{enquiry.reference}</strong>" in detail
    assert "size 3" in detail


def test_asking_for_the_link_never_sends_the_customer_to_another_site(db):
    client, _ = _signed_in()
    response = client.post("/accounts/verify-email/", {"next": "https://evil.example/"})
    assert (
        response.status_code == 302 and response["Location"] == "/accounts/health-fund-enquiries/"
    )
    response = client.post("/accounts/verify-email/", {"next": "/accounts/video-calls/"})
    assert response["Location"] == "/accounts/video-calls/"


def test_orders_placed_as_a_guest_join_the_order_history_once_the_address_is_proven(db):
    from oscar.test.factories import create_order

    before = create_order(number="100123", guest_email="MIA@example.com.au")
    theirs = create_order(number="100124", guest_email="someone.else@example.com")
    client, user = _signed_in()
    assert before.number not in client.get("/accounts/orders/").content.decode()

    client.post("/accounts/verify-email/")
    client.get(_verification_link(user))

    history = client.get("/accounts/orders/").content.decode()
    assert before.number in history and theirs.number not in history
    assert client.get(f"/accounts/orders/{before.number}/").status_code == 200

    # one placed as a guest later joins at her next sign-in
    later = create_order(number="100125", guest_email="mia@example.com.au")
    client.logout()
    client.force_login(user)  # a sign-in, as far as the signal that claims them is concerned
    assert later.number in client.get("/accounts/orders/").content.decode()


def test_an_impostors_account_never_gets_the_guest_orders(db):
    from oscar.test.factories import create_order

    order = create_order(number="100126", guest_email="mia@example.com.au")
    impostor, user = _signed_in()  # registered with Mia's address, never proved it
    impostor.logout()
    impostor.force_login(user)
    assert order.number not in impostor.get("/accounts/orders/").content.decode()
    order.refresh_from_db()
    assert order.user is None
