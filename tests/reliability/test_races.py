"""Races: many people doing the same thing at the same instant, through the real pages.

Each race runs real threads, each with its own Django test client and its own PostgreSQL
connection, released together by a barrier just before the request that decides it. Each ends
with exactly one winner; everyone else is told plainly why not, and nothing is done twice.
PostgreSQL only (SQLite has a single writer, so there is no race to see there); Celery runs as
a real worker on the configured Redis wherever the outcome includes an e-mail.
"""

import re
import threading
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish, task_postrun, task_prerun
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_product, create_stockrecord

from config.celery import app as celery_app
from consultations.models import Booking, BookingEvent, TimeOff, Topic
from insurance.models import AuditEntry, Enquiry, HealthFund
from tests.consultations.factories import expert
from tests.shop.checkout_steps import add_to_basket, checkout_as_guest, place_order
from tests.waiting import wait_for

Basket = get_model("basket", "Basket")
Line = get_model("order", "Line")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ShippingAddress = get_model("order", "ShippingAddress")
Source = get_model("payment", "Source")
StockRecord = get_model("partner", "StockRecord")

SYDNEY = ZoneInfo("Australia/Sydney")

pytestmark = pytest.mark.postgres


# --------------------------------------------------------------------------------------------
# The machinery: requests released at once, and the worker's tasks counted
# --------------------------------------------------------------------------------------------


def at_once(requests):
    """Run each callable in its own thread, all released by one barrier; their results, in
    order. A request that raised (a 500 reaches the test client as the exception) fails the
    race with that exception."""
    barrier = threading.Barrier(len(requests))
    results, errors = [None] * len(requests), []

    def run(n, request):
        barrier.wait()
        try:
            results[n] = request()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if errors:
        raise errors[0]
    return results


class TaskLedger:
    """Every task published to the broker and every task a worker (in this process) finished:
    when the two counts meet, the worker has done all there is, so an e-mail that was going
    to be sent twice has been. Also the most tasks that ran side by side."""

    def __init__(self):
        self.published, self.finished, self._lock = [], 0, threading.Lock()
        self.running = self.most_at_once = 0
        after_task_publish.connect(self._on_publish, weak=False)
        task_prerun.connect(self._on_start, weak=False)
        task_postrun.connect(self._on_finish, weak=False)

    def _on_publish(self, sender=None, headers=None, body=None, **kwargs):
        with self._lock:
            name, args = headers["task"].rsplit(".", 1)[-1], body[0]
            # The outbox's one task is named by the e-mail it sends ("order.confirmation").
            self.published.append(
                (args[0], *args[1:]) if name == "send_owed_email" else (name, *args)
            )

    def _on_start(self, **kwargs):
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)

    def _on_finish(self, **kwargs):
        connection.close()  # the worker thread's own: none is left open when the threads end
        with self._lock:
            self.running -= 1
            self.finished += 1

    def settled(self) -> bool:
        with self._lock:
            return self.finished >= len(self.published) > 0

    def close(self):
        after_task_publish.disconnect(self._on_publish)
        task_prerun.disconnect(self._on_start)
        task_postrun.disconnect(self._on_finish)


@pytest.fixture
def ledger():
    ledger = TaskLedger()
    yield ledger
    ledger.close()
    celery_app.control.purge()  # nothing this test queued is left for the next one


def staff(username, role):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", "pw-12345-x", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def sydney(days_ahead, hour, minute=0):
    day = (timezone.now() + timedelta(days=days_ahead)).astimezone(SYDNEY).date()
    return datetime.combine(day, time(hour, minute), tzinfo=SYDNEY).astimezone(UTC)


def html(response) -> str:
    return response.content.decode()


def report(race, **counts):
    print(f"\n{race}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


# --------------------------------------------------------------------------------------------
# 1. The last unit of a size, bought by ten guests at once
# --------------------------------------------------------------------------------------------

BUYERS = 10


def test_ten_guests_buying_the_last_unit_of_a_size_make_one_order(
    on_postgres, committed_db, ledger
):
    # given a support whose size 3 has one unit left, in ten guests' baskets, each guest on
    # the preview page with an address, standard delivery and bank transfer chosen
    parent = create_product(upc="LT", title="LumboTrain Back Support", structure="parent")
    size_3 = Product.objects.create(
        parent=parent, structure="child", upc="LT-3", title="LumboTrain Back Support, size 3"
    )
    record = create_stockrecord(size_3, price=D("289.95"), num_in_stock=1)
    guests = [Client() for _ in range(BUYERS)]
    for n, guest in enumerate(guests):
        add_to_basket(guest, "LT-3")
        assert checkout_as_guest(guest, email=f"guest{n}@example.com.au").status_code == 200

    # when they all press "Place order" at the same moment
    responses = at_once([lambda guest=guest: place_order(guest) for guest in guests])

    # then exactly one order is placed, with its one line, address and payment source...
    won = [r.status_code == 302 and r["Location"] == "/checkout/thank-you/" for r in responses]
    assert won.count(True) == 1, [r.status_code for r in responses]
    order = Order.objects.get()
    assert order.lines.get().product == size_3
    assert Line.objects.count() == 1 and Source.objects.get().order == order
    assert ShippingAddress.objects.count() == 1, "an address left behind by a refused order"
    assert [n for n, *_ in ledger.published] == ["order.confirmation"]
    # ...the unit is sold once...
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (1, 1)
    # ...and the nine others are told plainly, and keep their basket to change it: refused at
    # the allocation itself (409), or, once the winner had committed, by Oscar's basket check
    refused, sent_back = 0, 0
    for guest, response, winner in zip(guests, responses, won, strict=True):
        if winner:
            continue
        if response.status_code == 409:
            refused += 1
            page = html(response)
            assert "has just sold out" in page and "nothing has been charged" in page
        else:
            sent_back += 1
            assert (response.status_code, response["Location"]) == (302, "/basket/")
            page = html(guest.get("/basket/"))
            assert "LumboTrain Back Support, size 3" in page
            assert "no longer available" in page or "no stock available" in page
    statuses = sorted(Basket.objects.values_list("status", flat=True))
    assert statuses == ["Open"] * (BUYERS - 1) + ["Submitted"], "no basket left frozen"
    assert Basket.objects.filter(status="Open", lines__product=size_3).count() == BUYERS - 1
    report(
        "last unit",
        requests=BUYERS,
        winners=1,
        refused_409=refused,
        sent_back_to_basket=sent_back,
        orders=Order.objects.count(),
        allocated=record.num_allocated,
        duplicates=0,
    )


# --------------------------------------------------------------------------------------------
# 2. The last free time, booked by twenty at once
# --------------------------------------------------------------------------------------------

BOOKERS = 20


def _only_free_time(anna, slot):
    """Anna works 9:00-9:30 every day but is off all fortnight except at `slot`."""
    TimeOff.objects.create(expert=anna, starts_at=timezone.now(), ends_at=slot)
    end = slot + timedelta(minutes=30)
    TimeOff.objects.create(expert=anna, starts_at=end, ends_at=end + timedelta(days=30))


def test_twenty_customers_booking_the_last_free_time_make_one_call(
    on_postgres, committed_db, redis_conn, ledger
):
    # given one expert, who advises on every topic, free at exactly one time in the whole
    # booking horizon, and twenty customers on the booking form, each about their own problem
    topics = list(Topic.objects.all())
    anna = expert(
        "Anna", topics=[t.slug for t in topics], hours=(time(9), time(9, 30)), daily_maximum=1
    )
    slot = sydney(days_ahead=3, hour=9)
    _only_free_time(anna, slot)
    for topic in topics:
        form = html(Client().get("/consultations/book/", {"topic": topic.slug}))
        offered = re.findall(r'name="slot"[^>]* value="([^"]+)"', form)
        assert offered == ["earliest", slot.isoformat()], topic
    customers = [Client() for _ in range(BOOKERS)]
    celery_app.control.purge()

    # when twenty customers send the form for that time at the same moment...
    def book(n):
        return customers[n].post(
            "/consultations/book/",
            {
                "topic": topics[n % len(topics)].pk, "time_zone": "Australia/Sydney",
                "slot": slot.isoformat(),
                "name": f"Customer {n}", "email": f"customer{n}@example.com.au", "phone": "",
                "description": "Lower back pain", "consent": "on", "product": "",
            },
            REMOTE_ADDR=f"203.0.113.{n}",  # twenty people, twenty connections
        )  # fmt: skip

    responses = at_once([lambda n=n: book(n) for n in range(BOOKERS)])
    # ...each is queued at once, and workers allocate them side by side
    assert [r.status_code for r in responses] == [302] * BOOKERS
    assert [n for n, *_ in ledger.published] == ["allocate_booking"] * BOOKERS
    with start_worker(
        celery_app,
        pool="threads",
        concurrency=8,
        perform_ping_check=False,
        shutdown_timeout=15,
        loglevel="WARNING",
    ):
        wait_for(ledger.settled)  # every allocation, and the winner's confirmation e-mail

    # then exactly one call is confirmed at that time, and it is e-mailed once...
    confirmed = Booking.objects.get(status="confirmed")
    assert (confirmed.expert, confirmed.starts_at) == (anna, slot)
    assert Booking.objects.filter(expert=anna, starts_at=slot).count() == 1
    assert [m.to for m in mail.outbox] == [[confirmed.email]]
    # ...and the nineteen others are on the waiting list (nothing else is free), which the
    # page each of them is looking at says
    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert statuses == ["confirmed"] + ["waitlisted"] * (BOOKERS - 1), statuses
    for customer, response in zip(customers, responses, strict=True):
        page = html(customer.get(response["Location"]))
        if response["Location"] == confirmed.get_absolute_url():
            assert "Your call is confirmed" in page
        else:
            assert "You're on the waiting list" in page
    report(
        "last free time",
        requests=BOOKERS,
        allocations=BOOKERS,
        most_allocating_at_once=ledger.most_at_once,
        confirmed=1,
        waitlisted=statuses.count("waitlisted"),
        emails=len(mail.outbox),
        double_bookings=0,
    )


# --------------------------------------------------------------------------------------------
# 3. The same call cancelled by the customer and moved by staff at once
# --------------------------------------------------------------------------------------------

VERSION = re.compile(r'name="version" value="(\d+)"')


def _confirmed_call():
    """Mia's call with Anna, confirmed and e-mailed; and a free time on Anna's grid (9:00,
    9:40, 10:20...) to move it to."""
    booking = Booking.objects.create(
        topic=Topic.objects.get(slug="back"), starts_at=sydney(3, 9),
        ends_at=sydney(3, 9, 30), expert=expert("Anna"), status="confirmed", name="Mia Nguyen",
        email="mia@example.com.au", description="Lower back pain", consent_text="I agree",
        consent_version="1", queued_at=timezone.now(), confirmed_at=timezone.now(),
        confirmation_sent_at=timezone.now(), video_url="https://meet.example/x",
    )  # fmt: skip
    return booking, sydney(4, 10, 20)


def test_a_call_cancelled_and_moved_at_once_is_either_cancelled_or_moved(
    on_postgres, celery_worker, ledger
):
    # given a confirmed call, open on the customer's page and on the lead's dashboard page
    booking, new_time = _confirmed_call()
    customer, lead = Client(), Client()
    lead.force_login(staff("lena", "Consultation lead"))
    url, dashboard_url = (
        booking.get_absolute_url(),
        f"/dashboard/consultations/bookings/{booking.pk}/",
    )
    customer_page, lead_page = html(customer.get(url)), html(lead.get(dashboard_url))
    assert "Yes, cancel the call" in customer_page and new_time.isoformat() in lead_page
    # each form says which state of the booking it was filled in on
    assert set(VERSION.findall(customer_page)) == set(VERSION.findall(lead_page)) == {"0"}

    # when the customer cancels and the lead moves it in the same instant
    cancel, move = at_once(
        [
            lambda: customer.post(url, {"action": "cancel", "version": "0"}),
            lambda: lead.post(
                dashboard_url,
                {"action": "reschedule", "slot": new_time.isoformat(), "version": "0"},
            ),
        ]
    )
    wait_for(ledger.settled)  # the winner's e-mail sent, and any other there would be

    # then exactly one of them happened...
    assert sorted([cancel.status_code, move.status_code]) == [302, 409]
    booking.refresh_from_db()
    event = BookingEvent.objects.get(booking=booking)
    (email,) = mail.outbox
    ics = "".join(a[1] if isinstance(a[1], str) else a[1].decode() for a in email.attachments)
    if cancel.status_code == 302:
        # ...the cancellation: the lead is told the booking changed under them, and the
        # customer gets the calendar cancellation, not a new invite
        winner = "customer's cancel"
        assert (booking.status, booking.starts_at) == ("cancelled", sydney(3, 9))
        assert (event.action, event.actor) == ("cancelled", None)
        assert "METHOD:CANCEL" in ics
        assert "changed a moment ago" in html(move) and "Cancelled" in html(move)
    else:
        # ...or the move: the customer is shown the new time and told nothing was cancelled,
        # and gets the moved invite, not a cancellation
        winner = "lead's move"
        assert (booking.status, booking.starts_at) == ("confirmed", new_time)
        assert event.action == "rescheduled" and event.actor.username == "lena"
        assert "has changed" in email.body and "METHOD:REQUEST" in ics
        page = html(cancel)
        assert "changed a moment ago" in page and "nothing was cancelled" in page
        assert "Your call is confirmed" in page
    assert booking.sequence == 1 and f"SEQUENCE:{booking.sequence}" in ics
    report(
        "cancel vs move",
        requests=2,
        winner=winner,
        loser_status=max(cancel.status_code, move.status_code),
        events=1,
        emails=len(mail.outbox),
        contradictions=0,
    )


def test_a_cancel_sent_from_a_page_shown_before_the_call_was_moved_is_refused(
    client, db, django_capture_on_commit_callbacks
):
    """The interleaving the race above rarely produces (the lead's move validates the new
    time before it takes the booking's lock, so the cancel usually gets there first), made
    deterministic: the move commits, then the cancel arrives from the page shown before it.
    Before the pages carried the booking's version, both succeeded: a new invite, then a
    cancellation of the call just moved."""
    booking, new_time = _confirmed_call()
    lead = Client()
    lead.force_login(staff("lena", "Consultation lead"))
    assert VERSION.findall(html(client.get(booking.get_absolute_url()))) == ["0", "0"]

    with django_capture_on_commit_callbacks() as queued:
        moved = lead.post(
            f"/dashboard/consultations/bookings/{booking.pk}/",
            {"action": "reschedule", "slot": new_time.isoformat(), "version": "0"},
        )
        cancel = client.post(booking.get_absolute_url(), {"action": "cancel", "version": "0"})

    assert (moved.status_code, cancel.status_code) == (302, 409)
    assert "nothing was cancelled" in html(cancel) and "Your call is confirmed" in html(cancel)
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at, booking.sequence) == ("confirmed", new_time, 1)
    assert len(queued) == 1  # the moved invite, and no cancellation after it


# --------------------------------------------------------------------------------------------
# 4. The same enquiry answered by two officers at once
# --------------------------------------------------------------------------------------------


def test_an_enquiry_answered_by_two_officers_at_once_keeps_the_first_answer(
    on_postgres, celery_worker, ledger, settings, tmp_path
):
    # given an enquiry a customer sent, open on two officers' screens
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    product = create_product(upc="LT", title="LumboTrain Back Support", price=D("289.95"))
    sent = Client().post(
        "/insurance/enquiry/",
        {
            "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "", "state": "NSW",
            "postcode": "2000", "fund": HealthFund.objects.get(slug="bupa").pk,
            "cover_level": "top", "product": product.pk, "referral": "gp",
            "question": "Can I claim for my lower back?", "contact_preference": "email",
            "consent": "on",
        },
    )  # fmt: skip
    assert sent.status_code == 302
    enquiry = Enquiry.objects.get()
    url = f"/dashboard/health-funds/{enquiry.reference}/"
    officers = {"olivia": Client(), "oscar": Client()}
    for name, officer in officers.items():
        officer.force_login(staff(name, "Health-fund officer"))
        assert officer.get(url).status_code == 200

    # when both send their answer at the same moment
    def answer(name):
        message = f"Bupa pays 50%. ({name})"
        data = {
            "answer": "1",
            "outcome": "partly",
            "estimated_rebate": "120.00",
            "message": message,
        }
        return officers[name].post(url, data)

    responses = dict(zip(officers, at_once([lambda n=n: answer(n) for n in officers]), strict=True))
    wait_for(ledger.settled)  # acknowledgement, staff notice, and the answer(s)

    # then one answer is kept, with who gave it, and the customer is e-mailed it once...
    enquiry.refresh_from_db()
    winner = enquiry.answered_by.username
    (loser,) = set(officers) - {winner}
    assert enquiry.answer_message == f"Bupa pays 50%. ({winner})"
    assert AuditEntry.objects.filter(enquiry=enquiry, action="answered").count() == 1
    answers = [m for m in mail.outbox if m.subject.startswith("Our answer")]
    assert len(answers) == 1 and f"({winner})" in answers[0].body
    assert enquiry.answer_sent_at is not None
    # ...and the other officer is told, on the page that now shows the kept answer
    assert [r.status_code for r in responses.values()] == [302, 302]
    loser_page = html(officers[loser].get(responses[loser]["Location"]))
    assert "Another officer answered this enquiry a moment ago" in loser_page
    assert f"by {winner}" in loser_page and f"({winner})" in loser_page
    assert f"({loser})" not in loser_page
    winner_page = html(officers[winner].get(responses[winner]["Location"]))
    assert "Answer saved" in winner_page
    report(
        "two officers",
        requests=2,
        winner=winner,
        answers_stored=1,
        answer_emails=len(answers),
        overwritten=0,
    )


# --------------------------------------------------------------------------------------------
# 5. The same form sent twice at the same moment (a double click, a resend after a timeout)
# --------------------------------------------------------------------------------------------


def _submission_key(page: str) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_a_booking_form_sent_twice_at_once_makes_one_booking_and_one_email(
    on_postgres, committed_db, redis_conn, ledger
):
    # given a customer on the booking form, with one expert free
    anna = expert("Anna")
    form = html(Client().get("/consultations/book/", {"topic": "back"}))
    slot = re.findall(r'name="slot" id="slot-\d+-\d+" value="([^"]+)"', form)[2]
    data = {
        "topic": Topic.objects.get(slug="back").pk, "time_zone": "Australia/Sydney",
        "slot": slot, "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "",
        "description": "Lower back pain", "consent": "on", "product": "",
        "submission_key": _submission_key(form),
    }  # fmt: skip
    celery_app.control.purge()

    # when the same form arrives twice at the same moment
    sends = [Client(), Client()]
    responses = at_once([lambda c=c: c.post("/consultations/book/", data) for c in sends])
    with start_worker(
        celery_app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING"
    ):
        wait_for(ledger.settled)

    # then one booking is made, both answers show it, and one confirmation is e-mailed
    booking = Booking.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {booking.get_absolute_url()}
    assert (booking.status, booking.expert) == ("confirmed", anna)
    assert [n for n, *_ in ledger.published] == ["allocate_booking", "booking.confirmation"]
    assert [m.to for m in mail.outbox] == [["mia@example.com.au"]]
    report("booking form sent twice", requests=2, bookings=1, emails=len(mail.outbox))


def test_an_enquiry_form_sent_twice_at_once_makes_one_enquiry_and_one_set_of_emails(
    on_postgres, celery_worker, ledger, settings, tmp_path
):
    # given a customer on the enquiry form
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    product = create_product(upc="LT", title="LumboTrain Back Support", price=D("289.95"))
    data = {
        "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "", "state": "NSW",
        "postcode": "2000", "fund": HealthFund.objects.get(slug="bupa").pk,
        "cover_level": "top", "product": product.pk, "referral": "gp",
        "question": "Can I claim for my lower back?", "contact_preference": "email",
        "consent": "on",
        "submission_key": _submission_key(html(Client().get("/insurance/enquiry/"))),
    }  # fmt: skip

    # when the same form arrives twice at the same moment
    sends = [Client(), Client()]
    responses = at_once([lambda c=c: c.post("/insurance/enquiry/", data) for c in sends])
    wait_for(ledger.settled)

    # then one enquiry is made, both answers show its reference, and each e-mail goes once
    enquiry = Enquiry.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {f"/insurance/enquiry/sent/{enquiry.reference}/"}
    for client, response in zip(sends, responses, strict=True):
        assert enquiry.reference in html(client.get(response["Location"]))
    assert sorted(m.to[0] for m in mail.outbox) == ["healthfunds@example.com", "mia@example.com.au"]
    report("enquiry form sent twice", requests=2, enquiries=1, emails=len(mail.outbox))
