"""Fixtures shared by every app's tests."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase
from oscar.core.loading import get_model

from config.celery import app as celery_app
from core import pagecache
from core.health import HEARTBEAT_KEY, redis_client
from tests.database_state import MigratedState
from tests.demo_snapshot import DemoSnapshot

_demo_snapshots: list[DemoSnapshot] = []
_migrated: MigratedState | None = None


@pytest.fixture(scope="session", autouse=True)
def _every_task_registered():
    """As in a worker process (Celery's autodiscovery): every app's tasks module imported,
    so a worker started in this process runs a task that a service queued by name."""
    celery_app.loader.import_default_modules()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users (load_demo makes nine); real PBKDF2 costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and product images a test makes go to its own folder, never into var/; the
    cache, where sorl-thumbnail remembers thumbnails it made, starts empty with it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    pagecache.forget_everything()  # stored under generations a new test's database repeats


@pytest.fixture(autouse=True)
def _product_views_sent_at_once(settings):
    """Counts reach Redis on the request (the site batches them: core/tallies.py), and none
    left over from an earlier test (refused by a Redis it had stopped) arrive in this one."""
    from core import tallies

    settings.ANALYTICS_PUSH_SECONDS = 0
    tallies.forget_pending()


@pytest.fixture(autouse=True)
def _page_cache_needs_commits(request, settings):
    """On PostgreSQL the page generation moves when the writer's transaction commits
    (deferred triggers, core/pagecache_triggers.py), as other requests see the change then. A
    test inside one never-committed transaction would be served pages cached before its own
    changes, so it renders every page; tests/core/test_page_cache.py proves the cache with
    committed data on both databases (SQLite's triggers fire at once: the cache stays on)."""
    if connection.vendor != "postgresql":
        return
    marker = request.node.get_closest_marker("django_db")
    committed = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not committed:
        settings.PAGE_CACHE_SECONDS = 0


class Clock:
    """The tests' hold on core.clock (time-machine moves Python's own clock, so services,
    querysets, templates and an in-process worker all see the same "now").

    ``clock.set("2027-04-04 01:59", "Australia/Sydney")`` stands still at that wall time in that
    zone; ``clock.move(hours=1)`` steps forward. Time does not pass by itself (tick=False), so
    a test at 23:59 stays at 23:59 however slow the machine is."""

    def __init__(self):
        self._traveller = None

    def set(self, when, zone: str = "Australia/Sydney") -> datetime:
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        if when.tzinfo is None:
            when = when.replace(tzinfo=ZoneInfo(zone))
        self.stop()
        self._traveller = time_machine.travel(when, tick=False)
        self._coordinates = self._traveller.start()
        return when

    def move(self, **delta) -> None:
        assert self._traveller, "set the clock first"
        self._coordinates.shift(timedelta(**delta))

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock():
    """Stops time where the test says (see Clock); time runs again after the test."""
    held = Clock()
    yield held
    held.stop()


@pytest.fixture
def page_cache_off(settings):
    """For tests that count what rendering a page costs: the whole-page cache
    (core/pagecache.py, tested in tests/core/test_page_cache.py) would answer instead."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def redis_conn():
    """The Redis the site is configured with (REDIS_URL), emptied of our keys for the test."""
    client = redis_client(timeout=5)
    client.delete(HEARTBEAT_KEY)
    yield client
    client.delete(HEARTBEAT_KEY)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and its rows as the migrations left them."""
    global _migrated
    with django_db_blocker.unblock():
        _migrated = MigratedState()


@pytest.fixture
def committed_db(monkeypatch, transactional_db):
    """A database where transactions really commit (on_commit callbacks run, other threads
    and processes see the rows). Emptied after the test, then refilled with what migrations
    put there (Australia as shipping country, e-mail types), so later tests still find it.

    Django's own way (flush: TRUNCATE of every table, then the serialized rows reloaded one
    by one) takes seconds on PostgreSQL; tests/database_state.py puts back the same rows with
    DELETE and INSERT in a fraction of that, and pytest-django's flush, which runs after this
    fixture's teardown, is then skipped. (`monkeypatch` is asked for first so that it is
    undone last, after pytest-django's teardown.)

    Private API, on purpose: Django's `TransactionTestCase._fixture_teardown` (the flush) is
    replaced for the rest of the test; no public hook skips it. tests/core/test_database.py
    fails loudly, naming it, if an upgrade of Django or pytest-django breaks this."""
    if _migrated.differs():  # a test before this one was emptied by Django's flush
        _migrated.restore()
    yield
    _migrated.restore()
    monkeypatch.setattr(TransactionTestCase, "_fixture_teardown", _already_restored)


def _already_restored(test_case):
    """pytest-django's flush after a committed_db test: committed_db restored the rows."""
    assert not _migrated.differs(), "committed_db left the database as the migrations did"


@pytest.fixture
def celery_worker(committed_db, redis_conn):
    """A real Celery worker, in a thread, consuming from the configured Redis broker.

    Needs committed data: the worker reads the rows a test commits, just as a worker process
    would. The queue is purged first so that nothing from an earlier run is
    consumed by mistake.
    """
    celery_app.control.purge()
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        shutdown_timeout=15,
        loglevel="WARNING",
    ) as worker:
        yield worker


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (see README)")


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoSnapshot:
    """`load_demo` run once for the whole test run and rolled back (tests/demo_snapshot.py)."""
    with django_db_blocker.unblock():
        snapshot = DemoSnapshot.take(tmp_path_factory.mktemp("demo-snapshot-media"))
    _demo_snapshots.append(snapshot)
    return snapshot


@pytest.fixture
def load_demo(demo_snapshot):
    """`load_demo()` gives the test's database and media what `call_command("load_demo")`
    would: restored from the run's snapshot when the database is as the snapshot found it,
    else by the command itself. Ask for a database fixture (db, committed_db) first."""
    return demo_snapshot.load


@pytest.fixture
def demo(db, load_demo, settings, tmp_path):
    """The demo shop, with its private files (stored PDFs, uploads) in a folder of the test's
    own. Some test modules define a `demo` of their own, which wins there."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()


@pytest.fixture
def committed_demo(on_postgres, committed_db, load_demo, settings, tmp_path):
    """The demo shop committed, for threads with connections of their own (PostgreSQL), with
    stock enough of the LumboTrain size 3 for many orders."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()
    get_model("partner", "StockRecord").objects.filter(partner_sku="LT-3-TIT").update(
        num_in_stock=100
    )


def pytest_terminal_summary(terminalreporter):
    for snapshot in _demo_snapshots:
        reasons = sorted(set(snapshot.fallback_reasons))
        terminalreporter.write_line(
            f"demo content: {snapshot.restored} tests restored it from the snapshot, "
            f"{snapshot.loaded} ran load_demo" + (f" ({'; '.join(reasons)})" if reasons else "")
        )
