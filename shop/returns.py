"""Exchanges and returns (issue 19): the rules, in one place, and the steps a request takes.

The rules the customer's pages, the staff's queue and the e-mails all ask:
- `returns_open_until(order)`: the last day a return may be asked for, RETURNS_WINDOW_DAYS
  after the order was dispatched (its first "Shipped" or "Delivered"); None before dispatch.
- `line_left_to_return(line)`: units of a line not already in a request (refused ones do not
  count).
- `exchange_choices(line)`: the other sizes and colours of the same product, with whether
  each has a unit free.
- `NEXT_STEPS`: which step may follow which.

The steps (each recorded as a `ReturnStep`, the audit trail, which owes the customer one
e-mail: shop/emails.py):
- `return_request(...)`: the customer asks. An exchange holds a unit of the new size at once
  (shop/stock.py, the same conditional update that sells the last unit once); when none is
  free, nothing is recorded and the customer is told.
- `return_step(...)`: staff approve, reject (with a reason; an exchange's unit goes back on
  sale), mark the item received (back on the shelf unless faulty), mark an exchange sent
  (the held unit leaves) or a return refunded (receipts/ records the credit note and calls
  this).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from core import clock, outbox
from shop.models import ReturnRequest, ReturnStep
from shop.stock import stock_hold, stock_release, stock_restock, stock_send

StockRecord = get_model("partner", "StockRecord")

DISPATCHED = ("Shipped", "Delivered")  # order statuses (settings.OSCAR_ORDER_STATUS_PIPELINE)
Status = ReturnRequest.Status
NEXT_STEPS = {
    Status.REQUESTED: (Status.APPROVED, Status.REJECTED),
    Status.APPROVED: (Status.RECEIVED, Status.REJECTED),
    Status.RECEIVED: (Status.REFUNDED, Status.EXCHANGED),
    Status.REFUNDED: (),
    Status.EXCHANGED: (),
    Status.REJECTED: (),
}
OPEN = (Status.REQUESTED, Status.APPROVED, Status.RECEIVED)


class ReturnRefused(Exception):
    """The request or step cannot be made; the message says why, for the person asking."""


def returns_open_until(order) -> date | None:
    dispatched = (
        order.status_changes.filter(new_status__in=DISPATCHED)
        .order_by("date_created")
        .values_list("date_created", flat=True)
        .first()
    )
    if dispatched is None:
        return None
    return timezone.localtime(dispatched).date() + timedelta(days=settings.RETURNS_WINDOW_DAYS)


def _asked():
    """Requests that take units of their line (a rejected one gives them back)."""
    return ReturnRequest.objects.exclude(status=Status.REJECTED)


def line_left_to_return(line) -> int:
    return line.quantity - sum(_asked().filter(line=line).values_list("quantity", flat=True))


def lines_left_to_return(order) -> list[tuple]:
    """Each line of the order with its units left to return, in two queries."""
    asked = dict(_asked().filter(order=order).values_list("line_id").annotate(n=Sum("quantity")))
    return [(line, line.quantity - asked.get(line.pk, 0)) for line in order.lines.all()]


def exchange_choices(line) -> list[tuple[StockRecord, bool]]:
    """The other variants of the line's product (same parent), each with whether a unit is
    free now. A product without variants has none: it can only be returned."""
    product = line.product
    if product is None or product.parent_id is None:
        return []
    records = (
        StockRecord.objects.filter(product__parent_id=product.parent_id)
        .exclude(product_id=product.pk)
        .select_related("product")
        .order_by("product__title", "pk")
    )
    return [(record, record.net_stock_level > 0) for record in records]


def return_request(
    *, order, line_id: int, kind: str, quantity: int, reason: str, note: str = "",
    replacement_id: int | None = None,
) -> ReturnRequest:  # fmt: skip
    """The customer's request. Refused (ReturnRefused, nothing recorded) outside the window,
    for more units than are left to return, or for an exchange into a size with none free."""
    line = order.lines.filter(pk=line_id).first()
    if line is None:
        raise ReturnRefused("That item is not in this order.")
    open_until = returns_open_until(order)
    if open_until is None:
        raise ReturnRefused(
            "This order has not been sent yet. To change or cancel it, call us on "
            f"{settings.SHOP_PHONE}."
        )
    if clock.today() > open_until:
        raise ReturnRefused(
            f"The {settings.RETURNS_WINDOW_DAYS} days for a change of mind ended on "
            f"{open_until:%-d %B %Y}. If it is faulty, call us on {settings.SHOP_PHONE}: a "
            "faulty support is always repaired, replaced or refunded."
        )
    with transaction.atomic():
        # The line's row is locked: two requests for it at once are counted one after the other.
        line = order.lines.select_for_update().get(pk=line.pk)
        left = line_left_to_return(line)
        if not 0 < quantity <= left:
            raise ReturnRefused(
                f"You can ask for {left} of these." if left else "You have already asked for this."
            )
        replacement = None
        if kind == ReturnRequest.Kind.EXCHANGE:
            choices = {record.pk: record for record, _ in exchange_choices(line)}
            replacement = choices.get(replacement_id)
            if replacement is None:
                raise ReturnRefused("Choose the size or colour you would like instead.")
            if not stock_hold(replacement.pk, quantity):
                raise ReturnRefused(
                    f"Sorry, {replacement.product.get_title()} has just sold out. You can ask "
                    "to be e-mailed when it is back, or return this one for a refund."
                )
        request = ReturnRequest.objects.create(
            order=order, line=line, quantity=quantity, kind=kind, reason=reason,
            note=note.strip()[:1000], replacement=replacement,
        )  # fmt: skip
        _step(request, Status.REQUESTED)
    return request


def return_step(*, request_id: int, status: str, by, message: str = "") -> ReturnRequest:
    """Staff move a request on (NEXT_STEPS); refused when the step cannot follow the last
    one (two staff at once: the row is locked, the second is told)."""
    with transaction.atomic():
        request = (
            ReturnRequest.objects.select_for_update(of=("self",))
            .select_related("order", "line", "replacement")
            .get(pk=request_id)
        )
        if status not in NEXT_STEPS[request.status]:
            raise ReturnRefused(
                f"{request.reference} is {request.get_status_display().lower()}: it cannot be "
                f"marked {Status(status).label.lower()} now."
            )
        if status == Status.REJECTED and not message.strip():
            raise ReturnRefused("Say why it is rejected: the customer is told.")
        if status == Status.REFUNDED and request.kind != ReturnRequest.Kind.RETURN:
            raise ReturnRefused("An exchange is sent, not refunded.")
        if status == Status.EXCHANGED and request.kind != ReturnRequest.Kind.EXCHANGE:
            raise ReturnRefused("A return is refunded, not exchanged.")
        if request.replacement_id and status == Status.REJECTED:
            stock_release(request.replacement_id, request.quantity)
        if request.replacement_id and status == Status.EXCHANGED:
            stock_send(request.replacement_id, request.quantity)
            request.order.notes.create(
                user=by,
                note_type=request.order.notes.model.SYSTEM,
                message=f"{request.reference}: replacement {request.replacement.partner_sku}"
                f" × {request.quantity} sent from the stock held for it.",
            )
        resaleable = request.reason != ReturnRequest.Reason.FAULTY
        if status == Status.RECEIVED and resaleable and request.line.stockrecord_id:
            stock_restock(request.line.stockrecord_id, request.quantity)
        request.status = status
        request.updated_at = clock.now()
        request.save(update_fields=["status", "updated_at"])
        _step(request, status, by=by, message=message)
    return request


def _step(request, status, *, by=None, message: str = "") -> None:
    """The audit trail's row, and the e-mail it owes the customer (sent after commit)."""
    step = ReturnStep.objects.create(
        request=request, status=status, by=by, message=message.strip()[:300]
    )
    outbox.owe("order.return_step", step.pk)


def returns_report(*, days: int = 90) -> list[dict]:
    """Requests of the last `days` per product and size (the line's title), with how many
    gave each reason, most returned first. A size often sent back "too small" is a sizing
    guide to look at: `too_small_share` says how often."""
    counts: dict[str, dict] = {}
    rows = (
        ReturnRequest.objects.filter(created_at__gte=clock.ago(days=days))
        .values_list("line__title", "reason")
        .annotate(n=Count("pk"))
    )
    for title, reason, n in rows:
        row = counts.setdefault(title, {"title": title, "total": 0, **dict.fromkeys(REASONS, 0)})
        row[reason] += n
        row["total"] += n
    report = sorted(counts.values(), key=lambda row: (-row["total"], row["title"]))
    for row in report:
        row["too_small_share"] = row[ReturnRequest.Reason.TOO_SMALL] / row["total"]
    return report


REASONS = [value for value, _ in ReturnRequest.Reason.choices]


def refundable_return(*, order, return_id) -> ReturnRequest | None:
    """The order's return (not an exchange) whose item has come back, waiting for its refund;
    None for any other id (another order's, made up, not received yet)."""
    if not str(return_id).isdigit():
        return None
    return (
        ReturnRequest.objects.filter(
            pk=int(return_id), order=order, kind=ReturnRequest.Kind.RETURN, status=Status.RECEIVED
        )
        .select_related("line")
        .first()
    )
