"""The outbox (core/outbox.py): every owed e-mail is declared once, sent once, and sent
without holding the row, so staff never wait on a stalled mail server."""

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage

from consultations.models import Booking, Topic
from consultations.services import booking_allocate, booking_reschedule
from core import outbox
from core.clock import now
from core.models import OutboxClaim
from core.timelabels import time_label
from tests.consultations.factories import expert

SYDNEY = ZoneInfo("Australia/Sydney")


def _slot(days_ahead=3, hour=9):
    day = (now() + timedelta(days=days_ahead)).astimezone(SYDNEY).date()
    return datetime.combine(day, time(hour), tzinfo=SYDNEY).astimezone(UTC)


def _confirmed(slot):
    booking = Booking.objects.create(
        topic=Topic.objects.get(slug="back"), starts_at=slot, ends_at=slot + timedelta(minutes=30),
        name="Mia", email="mia@example.com.au", description="Back", consent_text="x",
        consent_version="1", queued_at=now(),
    )  # fmt: skip
    booking_allocate(booking_id=booking.pk)
    return Booking.objects.get(pk=booking.pk)


def test_every_owed_email_is_declared_once_and_swept_by_one_beat_entry():
    kinds = set(outbox.declared())
    assert kinds == {
        "order.confirmation",
        "order.tax_invoice",
        "order.credit_note",
        "order.return_step",
        "order.stock_alert_confirmation",
        "order.back_in_stock",
        "order.review_invite",
        "basket.quote",
        "enquiry.acknowledgement",
        "enquiry.staff_notice",
        "enquiry.answer",
        "booking.confirmation",
        "booking.cancellation",
        "booking.new_time_offer",
        "booking.reminder_24h",
        "booking.reminder_1h",
        "account.verification",
        "account.sign_in_code",
        "booking.recommendation",
    }
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert tasks.count("core.tasks.sweep_outbox") == 1
    assert not [task for task in tasks if "email" in task or "reminder" in task]


def test_staff_move_a_call_while_its_invite_is_stuck_on_the_mail_server(committed_db, monkeypatch):
    # given a confirmed call whose invite is being sent to a mail server that has stalled
    expert("Anna")
    first, later = _slot(hour=9), _slot(hour=11)
    booking = _confirmed(first)
    stalled, release = threading.Event(), threading.Event()
    send = EmailMessage.send

    def stalling_send(message, *args, **kwargs):
        if not release.is_set():
            stalled.set()
            release.wait(60)
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", stalling_send)
    delivered = []
    sender = threading.Thread(
        target=lambda: delivered.append(outbox.deliver(kind="booking.confirmation", pk=booking.pk))
    )
    sender.start()
    assert stalled.wait(30)

    # when a member of staff moves it meanwhile (nothing waits on the mail server)...
    moved = threading.Thread(
        target=booking_reschedule, kwargs={"booking_id": booking.pk, "slot": later}
    )
    moved.start()
    moved.join(30)
    assert not moved.is_alive() and not release.is_set()
    assert Booking.objects.get(pk=booking.pk).starts_at == later

    # ...and the mail server answers again
    release.set()
    sender.join(30)

    # then the customer got the old invite that was on its way, and then the new one, and
    # the booking records the invite for its new time as sent
    assert delivered == [True]
    assert len(mail.outbox) == 2
    new_time = time_label(later, SYDNEY, "time")
    assert new_time in mail.outbox[1].subject and "SEQUENCE:1" in str(mail.outbox[1].message())
    booking.refresh_from_db()
    assert booking.confirmation_sent_at and booking.sequence == 1
    assert not OutboxClaim.objects.exists()
    # a second wake-up call for it finds it sent
    assert outbox.deliver(kind="booking.confirmation", pk=booking.pk) is False
    assert len(mail.outbox) == 2


def test_a_worker_that_died_holding_an_email_leaves_it_to_the_sweep_once_its_claim_runs_out(
    db, clock
):
    expert("Anna")
    booking = _confirmed(_slot())
    start = clock.set(now().replace(microsecond=0))
    OutboxClaim.objects.create(
        kind="booking.confirmation",
        object_id=booking.pk,
        claimed_until=start + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
    )

    # while the claim holds, nobody else sends it
    assert outbox.deliver(kind="booking.confirmation", pk=booking.pk) is False
    # once it has run out, the next delivery takes it over and sends it, once
    clock.move(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)
    assert outbox.deliver(kind="booking.confirmation", pk=booking.pk) is True
    assert outbox.deliver(kind="booking.confirmation", pk=booking.pk) is False
    assert len(mail.outbox) == 1


def test_time_labels_name_the_zone_as_it_is_on_that_day():
    summer = datetime(2027, 3, 1, 22, 0, tzinfo=UTC)  # Tue 2 Mar, 9:00 AM in Sydney
    winter = datetime(2027, 6, 1, 23, 0, tzinfo=UTC)  # Wed 2 Jun, 9:00 AM in Sydney
    assert time_label(summer, "Australia/Sydney", "short", with_zone=True) == (
        "Tue 2 Mar, 9:00 AM AEDT"
    )
    assert time_label(winter, "Australia/Sydney", "short", with_zone=True) == (
        "Wed 2 Jun, 9:00 AM AEST"
    )
    assert time_label(summer, "Australia/Perth", "full", with_zone=True) == (
        "Tuesday 2 March 2027, 6:00 AM AWST"
    )
    assert time_label(summer, "Australia/Brisbane", "day_at_time") == "Tuesday 2 March at 8:00 AM"


def test_a_web_process_queues_owed_emails_by_name_without_importing_the_tasks(redis_conn):
    # A web process imports no tasks module (they import the services, not the other way
    # round): owing an e-mail there still publishes the outbox's task, by name.
    script = (
        "import django; django.setup()\n"
        "import sys\n"
        "from core.queue import enqueue\n"
        "assert 'core.tasks' not in sys.modules\n"
        "print(enqueue('core.tasks.send_owed_email', 'booking.confirmation', 1))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"
