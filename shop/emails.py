"""What an order owes its customer: the order confirmation, sent by Oscar's dispatcher from
Oscar's ORDER_PLACED templates; and a message at each step of an exchange or return.
Declared here once; core/outbox.py sends each once."""

from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from core import clock, outbox
from core.mail import templated_message
from shop.models import ReturnStep, ReviewInvite, StockAlert
from shop.selectors import order_page
from shop.services import order_message_context

Order = get_model("order", "Order")
CommunicationEvent = get_model("order", "CommunicationEvent")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderNote = get_model("order", "OrderNote")
Dispatcher = get_class("communication.utils", "Dispatcher")

ORDER_PLACED = "ORDER_PLACED"
EMAIL_FAILURE = "The order confirmation e-mail could not be sent"


def _send(order) -> None:
    """Oscar's dispatcher renders the message, sends it and (for an account) keeps it in the
    customer's e-mail history; the communication event is the outbox's record."""
    dispatcher = Dispatcher()
    messages = dispatcher.get_messages(ORDER_PLACED, order_message_context(order))
    if order.is_anonymous:
        sent = dispatcher.dispatch_anonymous_messages(order.guest_email, messages)
    else:
        sent = dispatcher.dispatch_user_messages(order.user, messages)
    if not sent:
        raise ValueError(f"Order {order.number} has no address to send its confirmation to")


def _record(order, sent_at) -> bool:
    """The "order placed" communication event (Oscar's record, shown in the dashboard's
    order page) says it went; a failure note becomes a plain note in the order's history."""
    event_type, _ = CommunicationEventType.objects.get_or_create(
        code=ORDER_PLACED, defaults={"name": "Order placed", "category": "Order related"}
    )
    CommunicationEvent.objects.create(order=order, event_type=event_type)
    when = clock.local_now().strftime("%d %b %Y %H:%M")
    OrderNote.objects.filter(
        order=order, note_type=OrderNote.ERROR, message__startswith=EMAIL_FAILURE
    ).update(
        note_type=OrderNote.INFO,
        message=f"The order confirmation e-mail failed at first and was sent on {when}.",
        date_updated=sent_at,
    )
    return True


def _failed(order_id: int, error: Exception) -> None:
    """One error note per order, brought up to date at each failed try (not one per try); the
    dashboard's order page shows it at its top until the e-mail goes."""
    when = clock.local_now().strftime("%d %b %Y %H:%M")
    message = (
        f"{EMAIL_FAILURE} (last try {when}: {type(error).__name__}). It is tried again "
        "every minute for a day after the order; if it still fails, check the mail server "
        "or contact the customer another way."
    )
    updated = OrderNote.objects.filter(
        order_id=order_id, note_type=OrderNote.ERROR, message__startswith=EMAIL_FAILURE
    ).update(message=message, date_updated=clock.now())
    if not updated and Order.objects.filter(pk=order_id).exists():
        OrderNote.objects.create(order_id=order_id, note_type=OrderNote.ERROR, message=message)


outbox.declare(
    outbox.OwedEmail(
        kind="order.confirmation",
        owed=lambda now: Order.objects.exclude(
            communication_events__event_type__code=ORDER_PLACED
        ).select_related("user"),
        send=_send,
        since="date_placed",
        record=_record,
        failed=_failed,
        label=lambda order: f"Order {order.number}",
    )
)


# --------------------------------------------------------------------------------------------
# Exchanges and returns: each step the customer is told of, once (shop/returns.py)
# --------------------------------------------------------------------------------------------


def _return_step_message(step):
    request = step.request
    order = request.order
    return templated_message(
        "shop/emails/return_step",
        {
            "step": step,
            "request": request,
            "order": order,
            "line": request.line,
            "business_address": settings.BUSINESS_ADDRESS,
            "policy_url": settings.SITE_URL + reverse("returns-policy"),
            "order_url": settings.SITE_URL + order_page(order),
        },
        to=[order.email],
        subject=f"Your {request.get_kind_display().split(' ')[0].lower()} {request.reference}"
        f" for order {order.number}: {step.get_status_display().lower()}",
    )


outbox.declare(
    outbox.OwedEmail(
        kind="order.return_step",
        owed=lambda now: ReturnStep.objects.filter(email_sent_at__isnull=True).select_related(
            "request__order", "request__line", "request__replacement__product"
        ),
        build=_return_step_message,
        since="at",
        sent_field="email_sent_at",
        error_field="last_email_error",
        label=str,
    )
)


# --------------------------------------------------------------------------------------------
# "E-mail me when it's back": the confirmation link, then the news (shop/alerts.py)
# --------------------------------------------------------------------------------------------


def _site_url(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def _alert_message(template: str, subject: str):
    def build(alert):
        product = alert.stockrecord.product
        return templated_message(
            f"shop/emails/{template}",
            {
                "product": product,
                # The product's page (its size finder, reviews), not the size's bare page.
                "product_url": settings.SITE_URL + (product.parent or product).get_absolute_url(),
                "confirm_url": settings.SITE_URL
                + reverse("stock-alert-confirm", args=[alert.token]),
                "unsubscribe_url": settings.SITE_URL
                + reverse("stock-alert-unsubscribe", args=[alert.token]),
                "days": settings.STOCK_ALERT_DAYS,
            },
            to=[alert.email],
            subject=subject.format(product=product.get_title()),
        )

    return build


outbox.declare(
    outbox.OwedEmail(
        kind="order.stock_alert_confirmation",
        owed=lambda now: StockAlert.objects.filter(
            confirmation_sent_at__isnull=True,
            confirmed_at__isnull=True,
            unsubscribed_at__isnull=True,
        ).select_related("stockrecord__product"),
        build=_alert_message("stock_alert_confirm", "Confirm: e-mail me when {product} is back"),
        since="created_at",
        sent_field="confirmation_sent_at",
        error_field="last_email_error",
        label=str,
    )
)
outbox.declare(
    outbox.OwedEmail(
        kind="order.back_in_stock",
        owed=lambda now: StockAlert.objects.filter(
            due_at__isnull=False, notified_at__isnull=True, unsubscribed_at__isnull=True
        ).select_related("stockrecord__product"),
        build=_alert_message("back_in_stock", "{product} is back in stock"),
        since="due_at",
        sent_field="notified_at",
        error_field="last_email_error",
        label=str,
    )
)


# --------------------------------------------------------------------------------------------
# "How is your support?": REVIEW_INVITE_DAYS after delivery (shop/reviews.py)
# --------------------------------------------------------------------------------------------


def _review_invite_message(invite):
    order = invite.order
    return templated_message(
        "shop/emails/review_invite",
        {
            "order": order,
            "review_url": _site_url("review", invite.token),
            "unsubscribe_url": _site_url("review-unsubscribe", invite.token),
        },
        to=[order.email],
        subject=f"How is your support? (order {order.number})",
    )


outbox.declare(
    outbox.OwedEmail(
        kind="order.review_invite",
        # Due by the clock: the sweep (every minute) is what sends them.
        owed=lambda now: ReviewInvite.objects.filter(
            due_at__lte=now, sent_at__isnull=True, unsubscribed_at__isnull=True
        ).select_related("order"),
        build=_review_invite_message,
        since=None,
        sent_field="sent_at",
        error_field="last_email_error",
        label=str,
    )
)
