"""Reviews that mean something (issue 19): only from people who bought the product.

- When an order is marked delivered, a `ReviewInvite` is made: the "How is your support?"
  e-mail is owed REVIEW_INVITE_DAYS later (the outbox's sweep sends it when due, once), with a
  one-time link to review what the order bought and a link to unsubscribe.
- `reviewable(order)`: the products (a size's parent) the order bought and has not reviewed.
- `review_write(...)`: an Oscar review, held for the shop manager's moderation (Oscar's
  dashboard, Reviews), with its `ReviewVerification`: the order ("Verified purchase") and how
  the size fitted.
- `fit_summary(product)`: the approved reviews' fit, for the product page.

Oscar's own "write a review" page, open to anyone, answers 410 (config/urls.py).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from oscar.core.loading import get_model

from core import clock
from shop.models import ReviewInvite, ReviewVerification

ProductReview = get_model("reviews", "ProductReview")
DELIVERED = "Delivered"


class ReviewRefused(Exception):
    """The review cannot be taken; the message says why."""


def review_invite(order) -> None:
    """The order was delivered: its invitation, due in REVIEW_INVITE_DAYS (once per order)."""
    ReviewInvite.objects.get_or_create(
        order=order,
        defaults={
            "token": secrets.token_urlsafe(32),
            "due_at": clock.now() + timedelta(days=settings.REVIEW_INVITE_DAYS),
        },
    )


def reviewable(order) -> list:
    """The products the order bought (a size's parent, as reviews are of the product), in the
    order's line order, less those already reviewed from it."""
    reviewed = set(
        ReviewVerification.objects.filter(order=order).values_list("review__product_id", flat=True)
    )
    products = []
    for line in order.lines.select_related("product__parent"):
        product = line.product.parent if line.product and line.product.parent_id else line.product
        if product is not None and product.pk not in reviewed and product not in products:
            products.append(product)
    return products


def review_write(*, order, product_id: int, score: int, title: str, body: str, fit: str, name: str):
    """The buyer's review of a product of `order`, held for moderation. Refused for a product
    the order did not buy or already reviewed from it."""
    with transaction.atomic():
        product = next((p for p in reviewable(order) if p.pk == product_id), None)
        if product is None:
            raise ReviewRefused("You have reviewed this already, or it is not in this order.")
        if order.user_id and ProductReview.objects.filter(product=product, user=order.user_id):
            raise ReviewRefused("You have reviewed this already, from another order.")
        review = ProductReview.objects.create(
            product=product,
            score=score,
            title=title.strip()[:255],
            body=body.strip(),
            user_id=order.user_id,
            name=name.strip()[:255],
            email=order.email,
            status=ProductReview.FOR_MODERATION,
        )
        ReviewVerification.objects.create(review=review, order=order, fit=fit)
    return review


def fit_summary(product) -> dict | None:
    """How the approved reviews say the product's sizes fit: {"small": n, "true": n,
    "large": n, "total": n}, or None while there are none."""
    counts = dict(
        ReviewVerification.objects.filter(
            review__product=product, review__status=ProductReview.APPROVED
        )
        .values_list("fit")
        .annotate(n=Count("pk"))
    )
    if not counts:
        return None
    return {
        **{fit: counts.get(fit, 0) for fit in ReviewVerification.Fit.values},
        "total": sum(counts.values()),
    }


def invite_by_token(token: str) -> ReviewInvite | None:
    if not token or len(token) > 64:
        return None
    return ReviewInvite.objects.select_related("order").filter(token=token).first()


def invite_unsubscribe(invite) -> None:
    ReviewInvite.objects.filter(pk=invite.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=clock.now()
    )
