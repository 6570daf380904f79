"""What other parts of the site may read of the video calls (the customer's account,
accounts/): the call's time, topic, expert, status and its own page, never the description."""

from consultations.models import Booking
from core import clock


def bookings_for_address(email: str, *, with_orders: bool = False) -> tuple[list, list]:
    """(upcoming, past) bookings made with this e-mail address (any case): upcoming soonest
    first, past newest first. Only for an address its holder has proven. `with_orders`: each
    recommendation's items and the orders that followed it too (the staff's customer page)."""
    bookings = Booking.objects.filter(email__iexact=email, erased_at__isnull=True).select_related(
        "topic", "expert", "recommendation"
    )
    if with_orders:
        bookings = bookings.prefetch_related(
            "recommendation__items__product__parent", "recommendation__orders"
        )
    now = clock.now()
    upcoming, past = [], []
    for booking in bookings.order_by("starts_at"):  # one query, split here
        (upcoming if booking.is_open and booking.ends_at > now else past).append(booking)
    return upcoming, past[::-1]


def recommendation_by_token(token: str):
    """The expert's recommendation behind an e-mailed basket link, with its items, or None."""
    from consultations.models import Recommendation

    if not token or len(token) > 64:
        return None
    return (
        Recommendation.objects.filter(basket_token=token, booking__erased_at__isnull=True)
        .select_related("booking", "expert")
        .prefetch_related("items__product__parent", "items__product__stockrecords")
        .first()
    )


def expert_for_order(order_id: int):
    """The expert whose recommendation the order followed (Recommendation.orders), or None:
    the receipt's health-fund part names them and their provider number."""
    from consultations.models import Recommendation

    recommendation = (
        Recommendation.objects.filter(orders=order_id, expert__isnull=False)
        .select_related("expert")
        .order_by("-updated_at")
        .first()
    )
    return recommendation.expert if recommendation else None
