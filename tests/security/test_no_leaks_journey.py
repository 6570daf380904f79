"""The customer's thread (issue 17) carries nothing of the enquiry's health details onwards.

The leak test's marker (tests/security/test_no_leaks.py) goes into every free-text field of a
health-fund enquiry. An officer answers it; the customer follows the answer e-mail's "book a
free video fitting" link and ticks that the expert may see the enquiry, so the booking carries
the enquiry's reference and its size (the marker, as the link passes it on) to the expert, with
the marker in the booking's description too. A real Celery worker on the configured Redis
allocates and confirms the booking. (The visit begins at an article, so the counts of what
an article leads to are made too, and checked below as the beat task writes them.) At the
call the expert recommends two sizes in the dashboard; the worker e-mails the
recommendation; the customer follows its basket link, puts both in the basket in one click
and checks out; the order is attributed to the call. Then the marker (and the phone number)
must be absent from:

- every log record of every logger, all set to DEBUG, the worker's included;
- every task message the site published and every task's return value;
- everything left in Redis;
- the Recommendation and RecommendedItem rows (every field, the note decrypted);
- the recommendation e-mail (subject, bodies, attachments);
- the recommendation page (its HTML, as the customer gets it);
- the fitting link in the fund's answer and the booking page's links and GET forms (the
  size travels sealed: access logs print a URL's query);
- the attribution: the Recommendation.orders rows and the orders they point to;
- what the article led to (core.FunnelDay rows).

The booking's name and e-mail address are the customer's own, typed without the marker: the
recommendation e-mail rightly greets them by name, and the marker is meant to reach the booking
only through what the customer let the fund enquiry share (and the health description).
"""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from consultations.models import Booking, Recommendation, RecommendedItem
from core import funnel
from core.models import FunnelDay
from insurance.models import Enquiry
from insurance.services import enquiry_answer
from tests.factories import BookingFormFactory
from tests.security import test_no_leaks
from tests.security.test_no_leaks import MARKER, PHONE, _enquiry, _leaks, _redis_contents
from tests.shop.checkout_steps import checkout_as_guest, place_order
from tests.waiting import wait_for

# The leak test's fixtures, offered to this module's test too (pytest finds a module's
# fixtures among its attributes).
everything_logged = test_no_leaks.everything_logged
tasks_seen = test_no_leaks.tasks_seen

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
CUSTOMER_EMAIL = "mia@example.com.au"
NOTE = "Wear it snug over a thin shirt; size 3 for work, size 4 for the garden."


def _row(instance) -> str:
    """Every field of a row as the code reads it (encrypted fields decrypted)."""
    return " ".join(
        f"{field.attname}={getattr(instance, field.attname)!r}"
        for field in instance._meta.concrete_fields
    )


def _message(message) -> str:
    """An e-mail as its reader gets it: subject, headers, bodies and attachments (decoded)."""
    parts = [message.subject, repr(message.extra_headers), message.body]
    parts += [content for content, _mimetype in message.alternatives]
    for attachment in message.attachments:
        if isinstance(attachment, tuple):  # (filename, content, mimetype)
            name, content = attachment[0], attachment[1]
        else:  # a MIME part
            name, content = attachment.get_filename(), attachment.get_payload(decode=True)
        content = content.decode(errors="replace") if isinstance(content, bytes) else content
        parts += [str(name), str(content)]
    return "\n".join(parts)


def _hidden(html: str, name: str) -> str:
    """The booking form's own hidden field (the last on the page: "Show free times" carries
    the size on sealed, core.encryption.seal)."""
    found = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"the booking page has its hidden {name} field"
    value = re.search(r'value="([^"]*)"', found[-1])
    return value[1] if value else ""


def test_the_enquirys_health_details_reach_no_recommendation_attribution_log_task_or_redis(
    celery_worker, redis_conn, everything_logged, tasks_seen, settings, tmp_path, load_demo, clock
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")
    customer = Client()
    # The visit begins at the back-spasms article, as a reader's does, so whatever counts what
    # an article leads to (issue 17's attribution counts, kept in Redis) is made on the way.
    assert customer.get("/blog/causes-of-back-spasms-and-cramps/").status_code == 200

    # Given an enquiry with the marker in every free-text field, answered by an officer.
    asked = customer.post("/insurance/enquiry/", _enquiry(lumbotrain))
    assert asked.status_code == 302, asked.content.decode()[:3000]
    enquiry = Enquiry.objects.get()
    officer = get_user_model().objects.get(email="officer@example.com")
    enquiry_answer(
        enquiry_id=enquiry.pk, outcome="partly", estimated_rebate=Decimal("80.00"),
        message="Your extras cover pays half.", by=officer,
    )  # fmt: skip
    wait_for(lambda: Enquiry.objects.filter(pk=enquiry.pk, answer_sent_at__isnull=False))
    book_link = re.compile(r"https?://\S+/consultations/book/\?\S+")
    answer = next(m for m in mail.outbox if book_link.search(m.body))  # its "book a fitting"
    fitting = urlsplit(book_link.search(answer.body)[0])
    assert parse_qs(fitting.query)["enquiry"] == [enquiry.reference]

    # When the customer books a fitting from the answer, letting the expert see the enquiry.
    page = customer.get(f"{fitting.path}?{fitting.query}")
    assert page.status_code == 200
    html = page.content.decode()
    shared = {name: _hidden(html, name) for name in ("enquiry_reference", "size")}
    booked = customer.post(
        "/consultations/book/",
        BookingFormFactory(
            **shared, share_enquiry="on", product=lumbotrain.pk, time_zone="Australia/Perth",
            name="Mia Nguyen", email=CUSTOMER_EMAIL, phone=PHONE,
            description=f"Pain after lifting {MARKER}-description",
        ),
    )  # fmt: skip
    assert booked.status_code == 302, booked.content.decode()[:3000]
    booking = Booking.objects.get()
    # the marker did reach the booking (with consent): its absence below means something
    assert (booking.enquiry_reference, booking.size) == (enquiry.reference, f"{MARKER}-size")

    # the worker allocates and confirms it
    wait_for(lambda: Booking.objects.filter(pk=booking.pk, confirmation_sent_at__isnull=False))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.expert is not None

    # At the call (ten minutes in; the worker's thread sees the same clock) the expert
    # recommends two sizes in the dashboard, after seeing the enquiry's reference and size.
    clock.set(booking.starts_at + timedelta(minutes=10))
    expert = Client()
    expert.force_login(booking.expert.user)
    detail = f"/dashboard/consultations/bookings/{booking.pk}/"
    assert enquiry.reference in expert.get(detail).content.decode()
    two_sizes = Product.objects.filter(
        structure="child", parent=lumbotrain, stockrecords__num_in_stock__gte=5
    ).order_by("pk")[:2]
    recommended = expert.post(detail, {
        "action": "recommend", "note": NOTE,
        "product_1": two_sizes[0].pk, "quantity_1": 1,
        "product_2": two_sizes[1].pk, "quantity_2": 2,
    })  # fmt: skip
    assert recommended.status_code == 302, recommended.content.decode()[:3000]
    recommendation = Recommendation.objects.get(booking=booking)

    # the worker e-mails it
    wait_for(lambda: Recommendation.objects.filter(pk=recommendation.pk, sent_at__isnull=False))
    recommendation_mail = next(m for m in mail.outbox if "recommendation" in m.subject)
    assert recommendation_mail.to == [CUSTOMER_EMAIL]
    link = urlsplit(
        re.search(r"https?://\S+/accounts/recommendation/\S+/", recommendation_mail.body)[0]
    ).path

    # the customer follows the link, puts both sizes in the basket in one click and checks out
    # (the whole checkout, so Oscar's post_checkout reaches accounts/receivers.py as it does)
    recommendation_page = customer.get(link)
    assert recommendation_page.status_code == 200
    assert customer.post(link).status_code == 302
    lines = customer.get("/basket/").context["basket"].all_lines()
    assert sorted((line.product_id, line.quantity) for line in lines) == [
        (two_sizes[0].pk, 1),
        (two_sizes[1].pk, 2),
    ]
    checkout_as_guest(customer, email=CUSTOMER_EMAIL)
    assert place_order(customer).status_code == 302
    order = Order.objects.get()
    order_mail = order.communication_events.filter(event_type__code="ORDER_PLACED")
    wait_for(lambda: order_mail.exists())  # the worker's order e-mail, its logs and tasks included

    # Then the order is attributed to the call...
    recommendation.refresh_from_db()
    assert list(recommendation.orders.all()) == [order]

    # ...and nothing of the enquiry's health details (or the phone) is anywhere below.
    records = [
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {r.args!r}"
        for r in everything_logged.records
    ]
    assert any("recommendation e-mail sent" in r for r in records), "the worker's logs are seen"
    assert len(tasks_seen["published"]) >= 6 and len(tasks_seen["returned"]) >= 6
    funnel.flush()  # what the article led to, as the beat task writes it
    funnel_rows = list(FunnelDay.objects.all())
    assert {row.step for row in funnel_rows} >= {"read", "fund_check", "call", "order"}
    attribution = Recommendation.orders.through.objects.filter(recommendation=recommendation)
    attributed = [*attribution, *(row.order for row in attribution)]
    attributed += [line for row in attribution for line in row.order.lines.all()]
    places = {
        **{f"log record {i}": text for i, text in enumerate(records)},
        **{f"task message {i}": text for i, text in enumerate(tasks_seen["published"])},
        **{f"task result {i}": text for i, text in enumerate(tasks_seen["returned"])},
        **{f"redis {key}": text for key, text in _redis_contents(redis_conn).items()},
        # a link's query is printed by access logs, proxies and the browser's history
        "the answer's fitting link": fitting.geturl(),
        "the booking page's links and GET forms": " ".join(
            re.findall(r'(?:href|action)="[^"]*"|<form method="get".*?</form>', html, re.S)
        ),
        "Recommendation row": _row(recommendation),
        **{
            f"RecommendedItem row {item.pk}": f"{_row(item)} {item.product.get_title()}"
            for item in RecommendedItem.objects.filter(recommendation=recommendation)
        },
        "recommendation e-mail": _message(recommendation_mail),
        "recommendation page": recommendation_page.content.decode(),
        **{f"attribution: {type(row).__name__} {row.pk}": _row(row) for row in attributed},
        **{f"article funnel row {row.pk}": _row(row) for row in funnel_rows},
    }
    assert RecommendedItem.objects.filter(recommendation=recommendation).count() == 2
    leaks = {place: found for place, text in places.items() if (found := _leaks(text))}
    assert leaks == {}, "the marker was found in:\n" + "\n".join(
        f"{place}: {found}" for place, found in leaks.items()
    )
