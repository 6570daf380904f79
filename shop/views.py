"""Shop endpoints outside Oscar's apps."""

import logging
from decimal import Decimal

import stripe
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.payment import stripe_client
from shop.services import order_payment_received

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; its signature proves who sent the request
@require_POST
def stripe_webhook(request):
    """Stripe tells us a Checkout session was paid. Only a correctly signed request is
    believed; the same event arriving again (Stripe retries) changes nothing."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponse("Card payments are not configured.", status=404)
    try:
        event = stripe_client().construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("Stripe webhook with a bad signature refused")
        return HttpResponseBadRequest("Bad signature.")
    if event.type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        session = event.data.object
        if session.payment_status == "paid":
            order_payment_received(
                order_number=session.client_reference_id,
                amount=Decimal(session.amount_total) / 100,
                currency=session.currency,
                reference=session.payment_intent or session.id,
            )
    return HttpResponse(status=200)
