from django import template
from django.urls import reverse

from shop.models import ReturnRequest, ReviewInvite
from shop.returns import lines_left_to_return, returns_open_until
from shop.reviews import DELIVERED, reviewable

register = template.Library()


@register.simple_tag
def returns_for(order):
    """What the order's page shows about exchanges and returns: until when they may be asked
    for (None before dispatch), each line with the units left to ask for, and the requests
    made. `{% returns_for order as returns %}`."""
    requests = list(
        ReturnRequest.objects.filter(order=order)
        .select_related("line", "replacement__product")
        .order_by("created_at")
    )
    return {
        "open_until": returns_open_until(order),
        "lines": lines_left_to_return(order),
        "requests": requests,
        "review_url": _review_url(order),
    }


def _review_url(order) -> str:
    """Where the buyer reviews what the order bought, once delivered ("" before, or when all
    is reviewed): the account's page, or the invitation's one-time link for a guest."""
    if order.status != DELIVERED or not reviewable(order):
        return ""
    if order.user_id:
        return reverse("customer-review", args=[order.number])
    invite = ReviewInvite.objects.filter(order=order).values_list("token", flat=True).first()
    return reverse("review", args=[invite]) if invite else ""
