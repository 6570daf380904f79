"""Reviews only from buyers (shop/reviews.py): "How is your support?" is e-mailed once, some
days after delivery, with a one-time link; the review is marked "Verified purchase", waits
for the shop manager, and its fit is summed up beside the size finder; Oscar's open review
form is gone, and bad input is refused with what was typed kept."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from core import outbox
from core.clock import now
from core.outbox import deliver
from shop.models import ReviewInvite
from tests.receipts.steps import mark_paid_in_the_dashboard, order_placed

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")

REVIEW = {
    "score": "4", "fit": "small", "title": "Firm and warm",
    "body": "Helps on long drives. Size 3 is snug: go up if between sizes.", "name": "Mia",
}  # fmt: skip


def _delivered(order):
    mark_paid_in_the_dashboard(order)
    order = Order.objects.get(pk=order.pk)
    for status in ("Being processed", "Shipped", "Delivered"):
        order.set_status(status)
    return order


@pytest.fixture
def delivered(demo, clock):
    clock.set(now().replace(microsecond=0))
    return _delivered(order_placed(Client()))


def _lumbotrain():
    return Product.objects.get(upc="LUMBOTRAIN")


def test_a_buyer_is_asked_once_reviews_and_the_approved_review_shows_its_fit(
    delivered, clock, monkeypatch
):
    invite = ReviewInvite.objects.get(order=delivered)
    queued = []
    monkeypatch.setattr(outbox, "enqueue_last_try", lambda t, kind, pk: queued.append(kind) or 1)
    clock.move(days=13)
    outbox.sweep()
    assert "order.review_invite" not in queued  # not yet
    clock.move(days=1, seconds=1)
    outbox.sweep()
    assert queued.count("order.review_invite") == 1
    deliver(kind="order.review_invite", pk=invite.pk)
    deliver(kind="order.review_invite", pk=invite.pk)  # once
    [message] = [m for m in mail.outbox if m.subject.startswith("How is your support?")]
    assert message.to == [delivered.email]
    assert f"/reviews/{invite.token}/" in message.body
    assert f"/reviews/{invite.token}/unsubscribe/" in message.body

    buyer = Client()
    form = buyer.get(f"/reviews/{invite.token}/").content.decode()
    assert "LumboTrain Back Support" in form and "How does it fit?" in form
    sent = buyer.post(f"/reviews/{invite.token}/", {"product": _lumbotrain().pk, **REVIEW})
    assert sent.status_code == 200 and "your review of LumboTrain Back Support is with us" in (
        sent.content.decode()
    )
    review = ProductReview.objects.get()
    assert review.status == ProductReview.FOR_MODERATION and review.product == _lumbotrain()
    page = Client().get(_lumbotrain().get_absolute_url()).content.decode()
    assert "Firm and warm" not in page  # waits for the shop manager

    review.status = ProductReview.APPROVED  # what the manager does in Dashboard > Reviews
    review.save()
    page = Client().get(_lumbotrain().get_absolute_url()).content.decode()
    assert "Firm and warm" in page and "Verified purchase" in page and "Fit: runs small" in page
    fit = "How it fits, from 1 verified buyer: runs small (1), true to size (0), runs large (0)."
    assert fit in page
    again = buyer.get(f"/reviews/{invite.token}/").content.decode()
    assert "You have reviewed everything from order" in again
    twice = buyer.post(f"/reviews/{invite.token}/", {"product": _lumbotrain().pk, **REVIEW})
    assert twice.status_code == 400 and "reviewed this already" in twice.content.decode()
    assert ProductReview.objects.count() == 1


def test_bad_input_is_refused_with_what_was_typed_kept(delivered):
    token = ReviewInvite.objects.get().token
    buyer = Client()
    missing = buyer.post(f"/reviews/{token}/", {"product": _lumbotrain().pk, **REVIEW, "fit": ""})
    page = missing.content.decode()
    assert missing.status_code == 400 and "This field is required." in page
    assert "Helps on long drives." in page and 'value="Firm and warm"' in page
    other = Product.objects.get(upc="VISCOSPOT")
    refused = buyer.post(f"/reviews/{token}/", {"product": other.pk, **REVIEW})
    assert refused.status_code == 400 and "it is not in this order" in refused.content.decode()
    assert buyer.get("/reviews/made-up/").status_code == 404
    assert buyer.post("/reviews/made-up/", REVIEW).status_code == 404
    assert not ProductReview.objects.exists()


def test_oscars_open_review_form_is_gone_and_unsubscribing_stops_the_invite(
    delivered, clock, monkeypatch
):
    product = _lumbotrain()
    oscars = f"/catalogue/{product.slug}_{product.pk}/reviews/add/"
    refused = Client().get(oscars)
    assert refused.status_code == 403 and "come only from people who bought" in (
        refused.content.decode()
    )
    assert Client().post(oscars, REVIEW).status_code == 403
    assert not ProductReview.objects.exists()
    invite = ReviewInvite.objects.get()
    Client().post(f"/reviews/{invite.token}/unsubscribe/")
    queued = []
    monkeypatch.setattr(outbox, "enqueue_last_try", lambda t, kind, pk: queued.append(kind) or 1)
    clock.move(days=15)
    outbox.sweep()
    assert "order.review_invite" not in queued


def test_a_signed_in_buyer_reviews_from_the_order_page_once_delivered(demo):
    user = get_user_model().objects.create_user("kim", "kim@example.com", "pw-long-enough-1")
    customer = Client()
    customer.force_login(user)
    order = order_placed(customer, "kim@example.com")
    path = f"/accounts/orders/{order.number}/review/"
    assert customer.get(path).status_code == 404  # not delivered yet
    _delivered(order)
    assert f'href="{path}"' in customer.get(f"/accounts/orders/{order.number}/").content.decode()
    # Oscar's own "Write a review" buttons (the product's; its order page's, of the size)
    for product in (_lumbotrain(), order.lines.get().product):
        oscars = customer.get(f"/catalogue/{product.slug}_{product.pk}/reviews/add/")
        assert oscars.status_code == 302 and oscars["Location"] == path, product
    assert customer.post(path, {"product": _lumbotrain().pk, **REVIEW}).status_code == 200
    assert ProductReview.objects.get().user == user
    stranger = Client()
    stranger.force_login(get_user_model().objects.create_user("x", "x@example.com", "pw-1234567x"))
    assert stranger.get(path).status_code == 404


def test_saving_a_review_in_moderation_does_not_approve_it(delivered):
    token = ReviewInvite.objects.get().token
    Client().post(f"/reviews/{token}/", {"product": _lumbotrain().pk, **REVIEW})
    review = ProductReview.objects.get()
    manager = Client()
    manager.force_login(get_user_model().objects.get(email="shop@example.com"))
    page = manager.get(f"/dashboard/reviews/{review.pk}/").content.decode()
    assert '<option value="0" selected>Requires moderation</option>' in page

    fields = {"title": "Firm and warm", "body": REVIEW["body"], "score": "4", "status": "0"}
    assert manager.post(f"/dashboard/reviews/{review.pk}/", fields).status_code == 302
    review.refresh_from_db()
    assert review.status == ProductReview.FOR_MODERATION  # saved, still waiting
    manager.post(f"/dashboard/reviews/{review.pk}/", {**fields, "status": "1"})
    review.refresh_from_db()
    assert review.status == ProductReview.APPROVED
