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


def test_the_one_private_api_the_test_setup_relies_on_is_still_there():
    """`committed_db` (tests/conftest.py) puts the migrated rows back itself and skips the
    flush pytest-django runs after a transactional test by replacing Django's private
    `TransactionTestCase._fixture_teardown` (Django 5.2, pytest-django 4.x drive their
    transactional tests through it). If an upgrade renames or stops calling it, this says
    so here, instead of as a slow flush after every committed test or a wrong database."""
    import inspect

    import pytest_django.fixtures
    from django.test import TransactionTestCase

    teardown = getattr(TransactionTestCase, "_fixture_teardown", None)
    assert callable(teardown), "Django renamed TransactionTestCase._fixture_teardown"
    assert list(inspect.signature(teardown).parameters) == ["self"]
    assert "_post_teardown" in inspect.getsource(TransactionTestCase)
    assert "TransactionTestCase" in inspect.getsource(pytest_django.fixtures), (
        "pytest-django no longer runs transactional tests through Django's TransactionTestCase"
    )
