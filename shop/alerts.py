"""Back in stock, per size, safely (issue 19). Replaces Oscar's stock alerts, which e-mail any
address anyone types (django-oscar issue 2401).

- `alert_sign_up`: one alert per address and size, whatever is typed again; nothing is sent
  but the confirmation link (double opt-in), and a connecting address may sign up only
  STOCK_ALERT_RATE_LIMIT times (core/limits.py, with the daily e-mail budget per address).
- `alert_confirm`, `alert_unsubscribe`: the links in the e-mails; used twice, no harm.
- `stock_alerts_watch`: a size with units free tells its confirmed waiters, in the order they
  asked, up to the units that came back (the rest at the next restock: the round resets when
  it sells out). It runs when a stock record is saved and every minute (beat), so stock
  changed by `.update()` or an import is seen too. It marks each alert due; the outbox sends
  the e-mail once (shop/emails.py). Alerts older than STOCK_ALERT_DAYS are deleted.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

from core import clock, limits, outbox
from shop.models import StockAlert, StockAlertRound

StockRecord = get_model("partner", "StockRecord")


def alert_sign_up(*, stockrecord_id: int, email: str, client_address: str) -> StockAlert:
    """The alert for this address and size, made (and its confirmation owed) if new. Raises
    limits.LimitReached when the connecting address has signed up too often."""
    email = email.strip().lower()
    with transaction.atomic():
        existing = limits.form_admit(
            scope="stock-alert",
            rate=settings.STOCK_ALERT_RATE_LIMIT,
            client_address=client_address,
            email=email,
            already_made=lambda: StockAlert.objects.filter(
                stockrecord_id=stockrecord_id, email=email
            ).first(),
        )
        if existing is not None:
            return existing
        StockAlertRound.objects.get_or_create(stockrecord_id=stockrecord_id)
        alert = StockAlert.objects.create(
            stockrecord_id=stockrecord_id, email=email, token=secrets.token_urlsafe(32)
        )
        outbox.owe("order.stock_alert_confirmation", alert.pk)
    return alert


def _alert(token: str) -> StockAlert | None:
    if not token or len(token) > 64:
        return None
    return StockAlert.objects.select_related("stockrecord__product").filter(token=token).first()


def alert_confirm(token: str) -> StockAlert | None:
    """Confirm the address (the first time; again changes nothing). None for a bad link."""
    alert = _alert(token)
    if alert is not None and alert.confirmed_at is None and alert.unsubscribed_at is None:
        StockAlert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(
            confirmed_at=clock.now()
        )
        transaction.on_commit(lambda: stock_alerts_watch(stockrecord_ids=[alert.stockrecord_id]))
    return alert


def alert_unsubscribe(token: str) -> StockAlert | None:
    alert = _alert(token)
    if alert is not None:
        StockAlert.objects.filter(pk=alert.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=clock.now()
        )
    return alert


def _waiting():
    """Confirmed alerts, still wanted, not yet told."""
    return StockAlert.objects.filter(
        confirmed_at__isnull=False,
        unsubscribed_at__isnull=True,
        due_at__isnull=True,
        created_at__gte=clock.ago(days=settings.STOCK_ALERT_DAYS),
    )


def stock_alerts_watch(*, stockrecord_ids=None) -> int:
    """Mark due the waiters each size has room for now; returns how many. Given sizes (a
    stock record saved), only theirs: one query when nobody waits. The beat's call, for all
    sizes, also deletes expired alerts and starts a new round for sizes sold out again."""
    waiting = _waiting()
    if stockrecord_ids is not None:
        waiting = waiting.filter(stockrecord_id__in=stockrecord_ids)
    else:
        StockAlert.objects.filter(
            created_at__lt=clock.ago(days=settings.STOCK_ALERT_DAYS), due_at__isnull=True
        ).delete()
        net = F("stockrecord__num_in_stock") - Coalesce(F("stockrecord__num_allocated"), 0)
        StockAlertRound.objects.annotate(net=net).filter(Q(net__lte=0), notified__gt=0).update(
            notified=0
        )
    return sum(
        _round(record_id) for record_id in set(waiting.values_list("stockrecord_id", flat=True))
    )


def _round(record_id: int) -> int:
    with transaction.atomic():
        round_ = StockAlertRound.objects.select_for_update().filter(stockrecord_id=record_id)
        round_ = round_.first() or StockAlertRound.objects.create(stockrecord_id=record_id)
        record = StockRecord.objects.get(pk=record_id)
        free = record.net_stock_level
        if free <= 0:
            if round_.notified:
                round_.notified = 0
                round_.save(update_fields=["notified"])
            return 0
        room = free - round_.notified
        if room <= 0:
            return 0
        due = list(
            _waiting()
            .filter(stockrecord_id=record_id)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:room]
        )
        StockAlert.objects.filter(pk__in=due).update(due_at=clock.now())
        round_.notified += len(due)
        round_.save(update_fields=["notified"])
        for pk in due:
            outbox.owe("order.back_in_stock", pk)
    return len(due)
