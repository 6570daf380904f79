"""Tasks reach a real worker through Redis only once the transaction that queued them commits."""

import json

import pytest
from django.contrib.sites.models import Site
from django.db import transaction

from core.health import HEARTBEAT_KEY
from core.tasks import record_heartbeat
from tests.waiting import wait_for


def _queue_heartbeat_on_commit():
    Site.objects.create(domain="queued.example", name="row written with the task")
    transaction.on_commit(record_heartbeat.delay)


def test_task_queued_on_commit_runs_on_a_real_worker(celery_worker, redis_conn):
    # given a transaction that writes a row and queues a task for after the commit
    with transaction.atomic():
        _queue_heartbeat_on_commit()
        # when nothing has committed yet, nothing has reached the broker
        assert redis_conn.get(HEARTBEAT_KEY) is None

    # then after the commit the worker runs the task and its effect is visible
    raw = wait_for(lambda: redis_conn.get(HEARTBEAT_KEY))
    assert "at" in json.loads(raw)


def test_rolled_back_transaction_queues_nothing(committed_db, redis_conn):
    # given an empty queue and no worker consuming it
    from config.celery import app

    app.control.purge()
    queued_before = redis_conn.llen("celery")

    # when the transaction that queued the task rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue_heartbeat_on_commit()
        raise RuntimeError("the customer's request failed half-way")

    # then no message reached the broker and the row is gone too
    assert redis_conn.llen("celery") == queued_before == 0
    assert not Site.objects.filter(domain="queued.example").exists()


def test_task_is_queued_once_with_the_commit(django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks() as callbacks:
        _queue_heartbeat_on_commit()
    assert callbacks == [record_heartbeat.delay]


def test_a_real_worker_prunes_idle_form_limit_rows(celery_worker):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import RateLimit
    from core.tasks import prune_rate_limits

    idle = RateLimit.objects.create(scope="booking", key="a" * 64, hits=[1.0])
    RateLimit.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - timedelta(days=2))
    busy = RateLimit.objects.create(scope="booking", key="b" * 64, hits=[1.0])

    prune_rate_limits.delay()

    wait_for(lambda: not RateLimit.objects.filter(pk=idle.pk).exists())
    assert RateLimit.objects.filter(pk=busy.pk).exists()
