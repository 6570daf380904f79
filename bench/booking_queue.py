"""The booking queue under load: 2,000 requests at once, one and then two worker processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backcare REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/booking_queue.py

Needs PostgreSQL and Redis (the question is how real workers share one database and one
broker); it refuses to run on SQLite. It builds its own database (`bench_<name>`, dropped at
the end) and uses the Redis database in REDIS_URL, which it empties first. Prints a table; a
benchmark, not a test.
"""

import os
import random
import statistics
import subprocess
import sys
import time
from datetime import time as clock
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.celery import app  # noqa: E402
from consultations.availability import free_slots, slot_length  # noqa: E402
from consultations.models import Booking, Expert, Topic, WeeklyAvailability  # noqa: E402
from consultations.tasks import allocate_booking  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_BOOKINGS", "2000"))
EXPERTS = 5


def setup_experts(topic):
    User = get_user_model()
    for n in range(EXPERTS):
        user = User.objects.create_user(
            username=f"bench{n}", email=f"bench{n}@example.com", password=None
        )
        expert = Expert.objects.create(
            user=user, display_name=f"Expert {n}", time_zone="Australia/Sydney", daily_maximum=40
        )
        expert.topics.add(topic)
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(expert=expert, weekday=d, start_time=clock(7), end_time=clock(21))
            for d in range(7)
        )


def queue_requests(topic):
    """2,000 customers each ask for a random free time (many ask for the same one)."""
    slots = free_slots(topic=topic)
    rng = random.Random(42)  # noqa: S311 (repeatable load, not secrets)
    now = timezone.now()
    bookings = Booking.objects.bulk_create(
        Booking(
            topic=topic,
            starts_at=(slot := rng.choice(slots)),
            ends_at=slot + slot_length(),
            name=f"Customer {n}",
            email=f"c{n}@example.com",
            description="Bench",
            consent_text="x",
            consent_version="1",
            queued_at=now,
        )  # fmt: skip
        for n in range(REQUESTS)
    )
    started = time.perf_counter()
    for booking in bookings:
        allocate_booking.delay(booking.pk)
    return started, len(slots)


def run(workers: int, topic, worker_env) -> dict:
    Booking.objects.all().delete()
    app.control.purge()
    procs = [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"bench{n}@%h",
            ],
            cwd=BASE_DIR,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for n in range(workers)
    ]
    time.sleep(4)  # let the workers connect before the burst
    started, slots = queue_requests(topic)
    while Booking.objects.filter(status="queued").exists():
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)
    confirmed = Booking.objects.filter(status="confirmed")
    waits = sorted(
        (b.confirmed_at - b.queued_at).total_seconds()
        for b in confirmed.only("confirmed_at", "queued_at")
    )
    doubles = (
        confirmed.values("expert", "starts_at").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    return {
        "workers": workers,
        "requests": REQUESTS,
        "free_slots": slots,
        "confirmed": confirmed.count(),
        "needs_new_time": Booking.objects.filter(status="needs_new_time").count(),
        "waitlisted": Booking.objects.filter(status="waitlisted").count(),
        "per_second": REQUESTS / elapsed,
        "p50": statistics.median(waits) if waits else 0,
        "p95": waits[int(len(waits) * 0.95) - 1] if waits else 0,
        "doubles": doubles,
    }


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/booking_queue.py needs PostgreSQL: set DATABASE_URL (and REDIS_URL).")
    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = f"bench_{original}"
    bench_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{bench_db}"
    worker_env = {**os.environ, "DATABASE_URL": url}
    try:
        topic = Topic.objects.get(slug="back")
        setup_experts(topic)
        rows = [run(workers, topic, worker_env) for workers in (1, 2)]
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
    print(f"\nBooking queue: {REQUESTS} requests at once, {EXPERTS} experts over "
          f"{settings.BOOKING_HORIZON_DAYS} days; PostgreSQL {connection.pg_version // 10000}, "
          f"Redis at {settings.REDIS_URL.rsplit('@', 1)[-1]}")  # fmt: skip
    print(f"{'workers':>7} {'free slots':>10} {'confirmed':>9} {'new time':>8} {'waitlist':>8} "
          f"{'alloc/s':>8} {'p50 s':>7} {'p95 s':>7} {'double bookings':>15}")  # fmt: skip
    for r in rows:
        print(f"{r['workers']:>7} {r['free_slots']:>10} {r['confirmed']:>9} "
              f"{r['needs_new_time']:>8} {r['waitlisted']:>8} {r['per_second']:>8.1f} "
              f"{r['p50']:>7.2f} {r['p95']:>7.2f} {r['doubles']:>15}")  # fmt: skip


if __name__ == "__main__":
    main()
