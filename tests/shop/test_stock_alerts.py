"""'E-mail me when it's back' (shop/alerts.py): asked for on a sold-out size, nothing sent but
the confirmation link until the address confirms; when units come back, however the stock
changed, the confirmed waiters are e-mailed once, in the order they asked, up to the units
that came back, the rest at the next restock; unsubscribe works; bad input does no harm."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from core.clock import now
from core.outbox import deliver
from shop import tasks
from shop.alerts import alert_confirm, alert_sign_up, alert_unsubscribe, stock_alerts_watch
from shop.models import StockAlert
from tests.waiting import wait_for

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

SOLD_OUT = "LT-1-TIT"  # the demo's sold-out LumboTrain size 1, titanium


def _size(sku=SOLD_OUT):
    return Product.objects.get(upc=sku)


def _restock(units, sku=SOLD_OUT):
    """As an import or a script would: an UPDATE, which sends no signal."""
    StockRecord.objects.filter(partner_sku=sku).update(num_in_stock=units, num_allocated=0)


def _confirmed(email, sku=SOLD_OUT):
    record = StockRecord.objects.get(partner_sku=sku)
    alert = alert_sign_up(stockrecord_id=record.pk, email=email, client_address="198.51.100.7")
    alert_confirm(alert.token)
    return alert


def _sent(kind):
    """Send what the outbox owes of `kind` (what the worker does); returns the messages."""
    before = len(mail.outbox)
    for alert in StockAlert.objects.all():
        deliver(kind=kind, pk=alert.pk)
    return mail.outbox[before:]


def test_a_visitor_signs_up_on_the_product_page_confirms_and_hears_once(demo):
    page = Client().get(_size().parent.get_absolute_url()).content.decode()
    assert 'action="/stock-alerts/"' in page and f'value="{_size().pk}"' in page
    visitor = Client()

    response = visitor.post("/stock-alerts/", {"product": _size().pk, "email": "Mia@Example.com"})

    assert response.status_code == 200
    assert "we have e-mailed a link to mia@example.com" in response.content.decode()
    alert = StockAlert.objects.get()
    [confirmation] = _sent("order.stock_alert_confirmation")
    assert confirmation.to == ["mia@example.com"]
    assert f"/stock-alerts/{alert.token}/confirm/" in confirmation.body
    assert f"/stock-alerts/{alert.token}/unsubscribe/" in confirmation.body
    _restock(2)
    assert stock_alerts_watch() == 0  # not confirmed: nothing is sent

    link = f"/stock-alerts/{alert.token}/confirm/"
    assert "Yes, e-mail me" in visitor.get(link).content.decode()  # a scanner's GET: nothing
    assert not StockAlert.objects.get().confirmed_at
    assert "Confirmed." in visitor.post(link).content.decode()
    assert visitor.post(link).status_code == 200  # used twice: no harm
    stock_alerts_watch()
    [news] = _sent("order.back_in_stock")
    assert news.subject == "LumboTrain Back Support, size 1, titanium is back in stock"
    assert f"/stock-alerts/{alert.token}/unsubscribe/" in news.body
    assert stock_alerts_watch() == 0 and _sent("order.back_in_stock") == []  # once


def test_waiters_are_told_in_order_up_to_the_units_back_the_rest_at_the_next_restock(demo):
    first, second, third = (_confirmed(f"{n}@example.com") for n in ("a", "b", "c"))

    _restock(2)
    assert stock_alerts_watch() == 2
    assert stock_alerts_watch() == 0  # the two units are told of once
    told = list(StockAlert.objects.filter(due_at__isnull=False).values_list("pk", flat=True))
    assert sorted(told) == sorted([first.pk, second.pk])

    _restock(0)  # sold out again
    stock_alerts_watch()
    _restock(1)
    assert stock_alerts_watch() == 1
    assert StockAlert.objects.get(pk=third.pk).due_at is not None


def test_a_size_saved_in_the_dashboard_tells_its_waiters_at_once(
    demo, django_capture_on_commit_callbacks
):
    _confirmed("a@example.com")
    record = StockRecord.objects.get(partner_sku=SOLD_OUT)
    record.num_in_stock = 3
    with django_capture_on_commit_callbacks(execute=True):
        record.save()
    assert StockAlert.objects.get().due_at is not None


def test_bad_input_repeats_and_unsubscribes_do_no_harm(demo):
    visitor = Client()
    bad = visitor.post("/stock-alerts/", {"product": _size().pk, "email": "mia@"})
    assert bad.status_code == 400 and 'value="mia@"' in bad.content.decode()
    assert "Enter an e-mail address like name@example.com." in bad.content.decode()
    unknown = visitor.post("/stock-alerts/", {"product": "999999", "email": "a@example.com"})
    assert unknown.status_code == 400 and "Choose one of the sizes" in unknown.content.decode()
    in_stock = visitor.post("/stock-alerts/", {"product": _size("LT-3-TIT").pk, "email": "a@b.au"})
    assert "is in stock now" in in_stock.content.decode()
    for _ in range(3):
        visitor.post("/stock-alerts/", {"product": _size().pk, "email": "mia@example.com"})
    assert StockAlert.objects.count() == 1
    assert len(_sent("order.stock_alert_confirmation")) == 1
    assert Client().get("/stock-alerts/made-up/confirm/").status_code == 404

    alert = _confirmed("mia@example.com")
    alert_unsubscribe(alert.token)
    alert_unsubscribe(alert.token)
    _restock(5)
    assert stock_alerts_watch() == 0


def test_one_connection_signs_up_ten_times_an_hour_at_most(demo):
    visitor = Client()
    statuses = [
        visitor.post(
            "/stock-alerts/", {"product": _size().pk, "email": f"{n}@example.com"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]


def test_alerts_expire_after_ninety_days(demo, clock):
    _confirmed("a@example.com")
    clock.set(now() + timedelta(days=91))
    _restock(3)
    assert stock_alerts_watch() == 0
    assert not StockAlert.objects.exists()


@pytest.mark.usefixtures("celery_worker")
def test_the_beat_task_on_a_real_worker_tells_waiters_of_stock_changed_by_update(
    committed_db, load_demo, settings, tmp_path
):
    load_demo()
    _confirmed("a@example.com")
    _restock(1)

    tasks.watch_stock_alerts.delay()

    wait_for(lambda: StockAlert.objects.filter(due_at__isnull=False).exists(), timeout=30)
