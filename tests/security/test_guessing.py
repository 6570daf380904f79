"""No customer's order, enquiry, booking, upload or status link can be reached by guessing.

Mia owns each object; Ben is another signed-in customer and a third visitor is not signed in.
Each test first shows that Mia's own link works (so a 404 below is not a broken page), then
that every guess answers 404: a made-up token, Mia's token changed by a character, cut short
or lengthened, another order's signature, an id that exists but is not Ben's.

Two kinds of page answer the same refusal for every address instead of 404, so that a guess
still learns nothing: the account pages (`/accounts/...`) send a visitor who is not signed in
to the login page (Mia's own e-mailed link must work once she has logged in), and the staff
dashboard sends customers to its login (403 once signed in). For those the tests prove that
a real id and a made-up one get exactly the same answer.

The links customers are given are bearer links: the booking's token (256 random bits), the
signed order status link (HMAC-SHA256 of the order number with the secret key) and the video
room; the enquiry reference is only a reference to quote, and opens nothing by itself.
"""

import base64
import inspect
import re
import secrets
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_product

from consultations.models import Booking, new_token
from consultations.video import JitsiMeeting
from insurance.models import Enquiry, HealthFund
from tests.factories import BookingFactory, CustomerFactory, ExpertFactory

Country = get_model("address", "Country")
Email = get_model("communication", "Email")
Line = get_model("basket", "Line")
Notification = get_model("communication", "Notification")
ProductAlert = get_model("customer", "ProductAlert")
UserAddress = get_model("address", "UserAddress")
WishList = get_model("wishlists", "WishList")

PASSWORD = "harbour-street-12"


@pytest.fixture
def mia(db):
    user = CustomerFactory(username="mia", email="mia@example.com.au", password=PASSWORD)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def ben(db):
    user = CustomerFactory(username="ben", email="ben@example.com.au", password=PASSWORD)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def visitor():
    return Client()


def _not_found(client, url, method="get", data=None):
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
    return response


def _same_refusal(client, real_url, made_up_url):
    """The answer to a real id is the answer to a made-up one, and is not the page."""
    real, made_up = client.get(real_url), client.get(made_up_url)
    assert real.status_code == made_up.status_code, (real_url, made_up_url)
    assert real.status_code in (302, 403, 404), real_url
    if real.status_code == 302:
        assert real["Location"].split("?")[0] == made_up["Location"].split("?")[0]
        assert real["Location"].split("?")[0] in ("/accounts/login/", "/dashboard/login/")
    return real


def _variants(token: str) -> list[str]:
    """Guesses near a real token: each must open nothing."""
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [changed, token[:-1], token + "A", token.swapcase(), secrets.token_urlsafe(32)]


# Orders ---------------------------------------------------------------------------------


def test_another_customers_order_answers_404_and_a_visitor_is_asked_to_log_in_for_any(
    mia, ben, visitor
):
    order = create_order(user=mia.user)
    line = order.lines.get()
    assert mia.get(f"/accounts/orders/{order.number}/").status_code == 200  # her own

    for url in [f"/accounts/orders/{order.number}/", f"/accounts/orders/{order.number}/{line.pk}/"]:
        _not_found(ben, url)
    _not_found(ben, f"/accounts/orders/{order.number}/", "post", {"order_id": order.pk})
    for query in [f"order_number={order.number}", f"order_id={order.pk}"]:
        thank_you = ben.get(f"/checkout/thank-you/?{query}")
        assert thank_you.status_code == 302 and thank_you["Location"] == "/"  # not her order
    assert not Line.objects.filter(basket__owner__username="ben").exists()  # nothing reordered

    _same_refusal(visitor, f"/accounts/orders/{order.number}/", "/accounts/orders/999999/")
    _same_refusal(
        visitor, f"/accounts/orders/{order.number}/{line.pk}/", "/accounts/orders/999999/1/"
    )


def test_a_guests_order_status_link_opens_only_as_sent_and_any_other_answers_404(
    ben, visitor, client
):
    guest_order = create_order(guest_email="mia@example.com.au")
    other_order = create_order(guest_email="sam@example.com.au")
    link = f"/accounts/order-status/{guest_order.number}/{guest_order.verification_hash()}/"

    # Her link, then her e-mail address, show her order.
    form_url = client.get(link)["Location"]
    assert client.get(form_url).status_code == 200
    assert client.post(form_url, {"email": "mia@example.com.au"})["Location"] == link
    assert str(guest_order.number) in client.get(link).content.decode()

    number, signature = guest_order.verification_hash().split(":")
    guesses = [f"{number}:{s}" for s in _variants(signature)] + [
        f"{number}:{other_order.verification_hash().split(':')[1]}",  # another order's
        other_order.verification_hash(),  # another order's whole signature on this number
        number,
    ]
    for who in (ben, visitor):
        for guess in guesses:
            _not_found(who, f"/accounts/order-status/{number}/{guess}/")
            _not_found(who, f"/accounts/order-status-form/{number}/{guess}/")
            _not_found(who, f"/accounts/order-status-form/{number}/{guess}/", "post", {
                "email": "mia@example.com.au"
            })  # fmt: skip
        _not_found(who, f"/accounts/order-status-form//{signature}/")  # no number at all

    # The right link with the wrong e-mail address shows nothing either.
    stranger = Client()
    refused = stranger.post(form_url, {"email": "ben@example.com.au"})
    assert refused.status_code == 200 and "Order not found" in refused.content.decode()
    assert stranger.get(link).status_code == 302  # back to the form, not the order


def test_another_customers_addresses_emails_notifications_wishlists_and_basket_are_out_of_reach(
    mia, ben, visitor
):
    address = UserAddress.objects.create(
        user=mia.user, first_name="Mia", last_name="Nguyen", line1="12 Harbour Street",
        line4="Sydney", state="NSW", postcode="2000", country=Country.objects.get(pk="AU"),
    )  # fmt: skip
    email = Email.objects.create(user=mia.user, email=mia.user.email, subject="Your order")
    note = Notification.objects.create(recipient=mia.user, subject="Your order has shipped")
    wishlist = WishList.objects.create(owner=mia.user, name="Birthday")  # private
    assert mia.get(f"/accounts/addresses/{address.pk}/").status_code == 200
    assert mia.get(f"/accounts/emails/{email.pk}/").status_code == 200
    assert mia.get(f"/wishlists/{wishlist.key}/").status_code == 200

    for url in [
        f"/accounts/addresses/{address.pk}/",
        f"/accounts/addresses/{address.pk}/delete/",
        f"/accounts/addresses/{address.pk}/default_for_billing/",
        f"/accounts/emails/{email.pk}/",
        f"/accounts/notifications/{note.pk}/",
        f"/accounts/wishlists/{wishlist.key}/",
        f"/wishlists/{wishlist.key}/",  # Oscar answered 403: "this key exists"
    ]:
        _not_found(ben, url)
    _not_found(ben, f"/accounts/addresses/{address.pk}/delete/", "post")
    assert UserAddress.objects.filter(pk=address.pk).exists()
    _not_found(visitor, f"/wishlists/{wishlist.key}/")
    _not_found(visitor, f"/accounts/wishlists/{wishlist.key}/")
    public = WishList.objects.create(owner=mia.user, name="Ideas", visibility=WishList.PUBLIC)
    assert ben.get(f"/wishlists/{public.key}/").status_code == 200  # made public by her
    _same_refusal(visitor, f"/accounts/addresses/{address.pk}/", "/accounts/addresses/999999/")
    _same_refusal(visitor, f"/accounts/emails/{email.pk}/", "/accounts/emails/999999/")

    # Ben posts Mia's basket line into his own basket page: refused, her line untouched.
    product = create_product(price=25, num_in_stock=10)
    assert mia.post(f"/basket/add/{product.pk}/", {"quantity": 1}).status_code == 302
    her_line = Line.objects.get(basket__owner=mia.user)
    refused = ben.post("/basket/", {
        "form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000, "form-0-id": her_line.pk, "form-0-quantity": 0,
    })  # fmt: skip
    assert refused.status_code == 400
    her_line.refresh_from_db()
    assert her_line.quantity == 1


# Enquiries ------------------------------------------------------------------------------


@pytest.fixture
def enquiry_by_mia(mia, settings, tmp_path):
    """Mia sends an enquiry with a referral (PDF) through the form, as a customer does."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    product = create_product(title="LumboTrain", price=220)
    response = mia.post(
        "/insurance/enquiry/",
        {
            "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "", "state": "NSW",
            "postcode": "2000", "fund": HealthFund.objects.get(slug="bupa").pk,
            "cover_level": "top", "product": product.pk, "referral": "gp",
            "question": "Is my back support covered?", "contact_preference": "email",
            "consent": "on",
            "upload": SimpleUploadedFile("referral.pdf", b"%PDF-1.4 Dr Lee: lumbar support"),
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    enquiry = Enquiry.objects.get()
    assert response["Location"] == f"/insurance/enquiry/sent/{enquiry.reference}/"
    assert enquiry.reference in mia.get(response["Location"]).content.decode()  # her page
    return enquiry


def test_an_enquiry_and_its_upload_are_shown_only_to_the_session_that_sent_it(
    enquiry_by_mia, ben, visitor, settings
):
    enquiry = enquiry_by_mia
    made_up = "PHI-" + "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in "123456")

    for who in (ben, visitor):
        _not_found(who, f"/insurance/enquiry/sent/{enquiry.reference}/")
        _not_found(who, f"/insurance/enquiry/sent/{enquiry.reference.lower()}/")
        _not_found(who, f"/insurance/enquiry/sent/{made_up}/")
        # The staff pages of the enquiry and its upload: refused alike, real or made up.
        for page in ("", "upload/"):
            real = f"/dashboard/health-funds/{enquiry.reference}/{page}"
            refused = _same_refusal(who, real, f"/dashboard/health-funds/{made_up}/{page}")
            assert "Dr Lee" not in refused.content.decode()

    # The upload is stored outside the public media folder, where no URL leads to it.
    stored = enquiry.upload.path
    assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.startswith(str(settings.MEDIA_ROOT))
    assert b"Dr Lee" not in Path(stored).read_bytes()  # encrypted at rest


# Bookings -------------------------------------------------------------------------------


@pytest.fixture
def booking(db):
    """Mia's confirmed call with Anna, three days from now."""
    return BookingFactory(
        confirmed=True,
        expert=ExpertFactory(display_name="Anna"),
        description="Which size?",
        video_url=JitsiMeeting().meeting_url(None),
    )


def test_a_booking_opens_only_with_its_own_token(booking, ben, visitor):
    base = f"/consultations/booking/{booking.token}/"
    assert visitor.get(base).status_code == 200  # the link in her e-mails
    assert visitor.get(f"{base}status.json").status_code == 200
    assert visitor.get(f"{base}invite.ics").status_code == 200

    guesses = [*_variants(booking.token), str(booking.pk), "x" * 65]
    for who in (ben, visitor):
        for guess in guesses:
            url = f"/consultations/booking/{guess}/"
            _not_found(who, url)
            _not_found(who, f"{url}status.json")
            _not_found(who, f"{url}invite.ics")
            _not_found(who, url, "post", {"action": "cancel"})
            _not_found(who, url, "post", {"slot": booking.starts_at.isoformat()})
        _same_refusal(
            who, f"/dashboard/consultations/bookings/{booking.pk}/",
            "/dashboard/consultations/bookings/999999/",
        )  # fmt: skip

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.cancelled_at is None


# Randomness -----------------------------------------------------------------------------


def _urlsafe_bytes(text: str) -> int:
    return len(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_links_that_open_something_carry_at_least_128_bits_that_cannot_be_guessed(
    booking, settings
):
    # The booking's token: 32 bytes from the operating system's CSPRNG, on every new booking.
    field = Booking._meta.get_field("token")
    assert field.default is new_token and field.unique
    assert "secrets.token_urlsafe" in inspect.getsource(new_token)
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(_urlsafe_bytes(t) * 8 >= 128 and len(t) <= field.max_length for t in tokens)
    assert _urlsafe_bytes(booking.token) * 8 >= 128

    # The video room: anyone with the link can join the call.
    rooms = {JitsiMeeting().meeting_url(booking).rsplit("Bauerfeind-", 1)[1] for _ in range(100)}
    assert len(rooms) == 100 and all(_urlsafe_bytes(room) * 8 >= 128 for room in rooms)

    # The guest's order status link: HMAC-SHA256 of the number, keyed by the SECRET_KEY.
    order = create_order(guest_email="mia@example.com.au")
    number, signature = order.verification_hash().split(":")
    assert number == str(order.number) and _urlsafe_bytes(signature) * 8 >= 128
    assert len(settings.SECRET_KEY) >= 32

    # Oscar's product alert links (confirm, cancel by key): 40 of 36 characters, 206 bits.
    keys = {ProductAlert().get_random_key() for _ in range(100)}
    assert len(keys) == 100 and all(re.fullmatch(r"[a-z0-9]{40}", key) for key in keys)
