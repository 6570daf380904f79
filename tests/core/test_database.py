"""Concurrent writers never fail with "database is locked" (SQLite) or lose a write."""

import threading

import pytest
from django.contrib.sites.models import Site
from django.db import close_old_connections, connection, transaction

WRITERS = 8
WRITES_EACH = 15


def _read_then_write(worker: int, errors: list[BaseException]) -> None:
    # The pattern that breaks SQLite's default DEFERRED transactions: a read lock taken first
    # and upgraded to a write lock later, while another thread does the same.
    try:
        for n in range(WRITES_EACH):
            with transaction.atomic():
                Site.objects.count()
                Site.objects.create(domain=f"w{worker}-{n}.example", name="concurrent")
    except BaseException as exc:
        errors.append(exc)
    finally:
        close_old_connections()
        connection.close()


def test_concurrent_read_then_write_transactions_all_succeed(committed_db):
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_read_then_write, args=(i, errors)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Site.objects.filter(name="concurrent").count() == WRITERS * WRITES_EACH


def test_sqlite_runs_in_wal_mode(db):
    if connection.vendor != "sqlite":
        pytest.skip("WAL is SQLite's; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
