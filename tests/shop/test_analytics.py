"""Reading a product page writes nothing to the database: the view is counted in Redis and a
beat task adds the counts to Oscar's ProductRecord, which the dashboard's reports read."""

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from core import tallies
from shop import analytics, tasks
from tests.waiting import wait_for

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def lumbotrain(committed_db, redis_conn, load_demo):
    load_demo()
    redis_conn.delete(analytics.PRODUCT_VIEWS_KEY, analytics.BASKET_ADDITIONS_KEY)
    yield Product.objects.get(upc="LUMBOTRAIN")
    redis_conn.delete(analytics.PRODUCT_VIEWS_KEY, analytics.BASKET_ADDITIONS_KEY)


def test_an_anonymous_product_page_view_writes_nothing_to_the_database(client, lumbotrain):
    client.get(lumbotrain.get_absolute_url())  # warm: sessions, caches

    with CaptureQueriesContext(connection) as queries:
        response = client.get(lumbotrain.get_absolute_url())

    assert response.status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []


def test_the_worker_adds_the_counted_views_to_the_products_record(
    client, lumbotrain, celery_worker, redis_conn
):
    for _ in range(3):
        client.get(lumbotrain.get_absolute_url())

    tasks.flush_product_views.delay()

    def counted():
        record = ProductRecord.objects.filter(product=lumbotrain).first()
        return record and record.num_views == 3

    wait_for(counted, timeout=30)
    assert int(redis_conn.hget(analytics.PRODUCT_VIEWS_KEY, lumbotrain.pk)) == 0
    client.get(lumbotrain.get_absolute_url())  # a later view waits for the next flush
    assert analytics.product_views_flush() == 1
    assert ProductRecord.objects.get(product=lumbotrain).num_views == 4


def test_adding_to_the_basket_writes_only_the_basket_and_is_counted_later(client, lumbotrain):
    client.get("/")  # the visitor's first page
    size_3 = Product.objects.get(upc="LT-3-TIT")
    form = {"child_id": size_3.pk, "quantity": 1}

    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/basket/add/{lumbotrain.pk}/", form)

    assert response.status_code == 302
    written = {q["sql"].split('"')[1] for q in queries if q["sql"].lstrip().startswith(WRITES)}
    assert written <= {"basket_basket", "basket_line"}
    assert analytics.product_views_flush() == 1
    assert ProductRecord.objects.get(product=size_3).num_basket_additions == 1


def test_views_of_a_deleted_product_are_dropped(lumbotrain, redis_conn):
    gone = Product.objects.filter(parent=None).exclude(pk=lumbotrain.pk).first()
    gone_id = gone.pk
    analytics.product_view_count(gone_id)
    gone.delete()

    assert analytics.product_views_flush() == 0
    assert int(redis_conn.hget(analytics.PRODUCT_VIEWS_KEY, gone_id)) == 0


def test_the_product_page_is_served_while_redis_is_down(client, lumbotrain, monkeypatch):
    unreachable = redis.Redis(port=1, socket_connect_timeout=0.2)  # nothing listens there
    monkeypatch.setattr(tallies, "redis_client", lambda timeout: unreachable)

    response = client.get(lumbotrain.get_absolute_url())

    assert response.status_code == 200
