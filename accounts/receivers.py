"""An order placed after the customer put an expert's recommendation in their basket is
attributed to that call (consultations.Recommendation.orders): what the call led to. At each
sign-in, orders placed as a guest with the account's proven address join its history."""

from django.contrib.auth.signals import user_logged_in
from oscar.apps.checkout.signals import post_checkout

from accounts.services import guest_records_claim
from consultations.services import recommendation_order_record

RECOMMENDED_CALL = "accounts.recommended_call"  # set by accounts.views.RecommendationView


def _attribute_order(sender, order, user, request, **kwargs):
    booking_id = request.session.pop(RECOMMENDED_CALL, None) if request is not None else None
    if booking_id:
        recommendation_order_record(booking_id=booking_id, order_id=order.pk)


def _claim_guest_records(sender, request, user, **kwargs):
    if not user.is_staff:
        guest_records_claim(user=user)


def connect() -> None:
    post_checkout.connect(_attribute_order, dispatch_uid="accounts-order-from-recommendation")
    user_logged_in.connect(_claim_guest_records, dispatch_uid="accounts-claim-guest-orders")
