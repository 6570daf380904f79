"""Shop endpoints outside Oscar's apps."""

import logging
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oscar.apps.wishlists.views import WishListView as OscarWishListView
from oscar.core.loading import get_model

from shop.payment import stripe_client
from shop.services import order_payment_received

logger = logging.getLogger(__name__)
Order = get_model("order", "Order")
WishList = get_model("wishlists", "WishList")


@csrf_exempt  # Stripe cannot send a CSRF token; its signature proves who sent the request
@require_POST
def stripe_webhook(request):
    """Stripe tells us a Checkout session was paid. Only a correctly signed request is
    believed; the same event arriving again (Stripe retries) changes nothing."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponse("Card payments are not configured.", status=404)
    import stripe  # 20 MB, loaded only where payments are handled (shop/payment.py)

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


def signed_order_link(view):
    """Oscar's order status pages for guests (linked from the thank-you page), answering 404
    unless the link carries our signature of the order number. Oscar shows its "enter your
    e-mail" form for any number and hash; a made-up link now gets the 404 that any other
    guessed address gets. The check needs no database, so it says nothing about which orders
    exist."""

    @wraps(view)
    def signed(request, order_number, hash):
        if not Order(number=order_number).check_verification_hash(hash):
            raise Http404
        return view(request, order_number=order_number, hash=hash)

    return signed


class WishListView(OscarWishListView):
    """Oscar's page for a public or shared wish list, except that a list the visitor may not
    see answers 404, as a made-up key does (Oscar answers 403, telling whoever tries keys
    which ones exist). A guest is still sent to log in for a shared list: the people it is
    shared with need that way in."""

    def dispatch(self, request, *args, **kwargs):
        wishlist = self.get_object()
        if not wishlist.is_allowed_to_see(request.user) and (
            request.user.is_authenticated or wishlist.visibility == WishList.PRIVATE
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def gone(request, *args, **kwargs):
    """A page of Oscar's this site has replaced: 410, "gone", whatever is sent."""
    return HttpResponse("This page is no longer here.", status=410, content_type="text/plain")
