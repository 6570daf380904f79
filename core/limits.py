"""Limits on what one visitor can make the site do, counted in the database.

A public form that makes a record and e-mails whatever address was typed (an enquiry, a
booking) is a way to fill a calendar or flood a stranger's inbox. Its service takes a place
from each limit inside the transaction that saves the record:

    with transaction.atomic():
        existing = limits.form_admit(
            scope="booking", rate=settings.BOOKING_RATE_LIMIT, client_address=address,
            email=email, already_made=lambda: Booking.objects.filter(submission_key=key).first(),
        )
        if existing is not None:
            return existing  # the same form sent again
        ... # save the record

The rule: a limit is a row per visitor, locked for the rest of the transaction, holding the
times of its recent hits (a rolling window, not a fixed hour that resets on the clock). So it
is exact across web processes and machines, survives restarts (unlike a per-process cache,
which multiplied the enquiry limit by the number of workers), needs no Redis (a stalled Redis
cannot stall a form), and a hit counts only if the record it allowed is saved: a rolled-back
transaction takes its hit back. Two submissions from one visitor wait for each other on the
row, so the second sees what the first saved (how a form sent twice finds its record).

`form_admit` always locks the rows in the same order (the visitor's address first, then the
e-mail address), so that two requests never wait for each other in a circle. Visitors are stored as
keyed hashes, never as the address itself.
"""

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction

from core import clock
from core.models import ConfirmedAddress, RateLimit

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The longest window any limit uses; rows idle for longer hold nothing that counts.
LONGEST_WINDOW = timedelta(days=1)
PROOF_SALT = "core.limits.address-proof"
PROOF_MAX_AGE = timedelta(days=60)


@dataclass(frozen=True)
class Rate:
    """`count` hits in any rolling `period`."""

    count: int
    period: timedelta

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "5/h", "3/10m", "5/d" (s, m, h, d)."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*", text)
        if not match:
            raise ValueError(f"A rate is like '5/h' or '3/10m', not {text!r}")
        count, multiple, unit = match.groups()
        seconds = int(multiple or 1) * _UNITS[unit]
        return cls(count=int(count), period=timedelta(seconds=seconds))


class LimitReached(Exception):
    """A limit refused the request. `reason` names which (the page words its message by it),
    `count` is the limit, `retry_after` how many seconds until a place frees (None when no
    wait frees one: a limit on open records frees when one is closed)."""

    def __init__(self, reason: str, *, count: int, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.count = count
        self.retry_after = None if retry_after is None else max(1, math.ceil(retry_after))

    @property
    def retry_after_minutes(self) -> int | None:
        return None if self.retry_after is None else max(1, math.ceil(self.retry_after / 60))


def visitor_key(value: str) -> str:
    """A keyed hash of an address (normalised: case and spaces do not make a new visitor)."""
    normalised = value.strip().lower().encode()
    secret = f"core.limits:{settings.SECRET_KEY}".encode()
    return hmac.new(secret, normalised, hashlib.sha256).hexdigest()


class Counter:
    """One visitor's row of one limit, locked by this transaction."""

    def __init__(self, row: RateLimit):
        self.row = row

    def take(self, rate: Rate, *, reason: str) -> None:
        """Record a hit, or raise LimitReached (recording nothing) when `rate.count` hits
        already fall within the last `rate.period`."""
        now = clock.now().timestamp()
        window_start = now - rate.period.total_seconds()
        recent = sorted(t for t in self.row.hits if t > window_start)
        if len(recent) >= rate.count:
            oldest_counted = recent[-rate.count]
            retry_after = oldest_counted - window_start
            raise LimitReached(reason, count=rate.count, retry_after=retry_after)
        self.row.hits = [*recent, now]
        self.row.save(update_fields=["hits", "updated_at"])


def counter(*, scope: str, visitor: str) -> Counter:
    """Lock (creating it if need be) the row of `visitor` in `scope` until the current
    transaction ends. Must be called inside one: the lock and the hit belong to the record
    the transaction saves."""
    if not connection.in_atomic_block:
        raise RuntimeError("limits.counter() needs a transaction: take it where you save")
    key = visitor_key(visitor)
    rows = RateLimit.objects.select_for_update()
    row = rows.filter(scope=scope, key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                row = RateLimit.objects.create(scope=scope, key=key)
        except IntegrityError:  # another request made it a moment ago: wait for its lock
            row = rows.get(scope=scope, key=key)
    return Counter(row)


def mail_budget_take(mail: Counter, *, address: str) -> None:
    """Count one e-mail owed to `address`, which has never proved it is the typer's, against
    UNCONFIRMED_ADDRESS_EMAILS_PER_DAY; raise LimitReached("mail") when the day's are spent.
    Addresses whose owner followed a link we sent (`address_confirm`) are not limited."""
    if address_is_confirmed(address):
        return
    mail.take(Rate(settings.UNCONFIRMED_ADDRESS_EMAILS_PER_DAY, timedelta(days=1)), reason="mail")


def address_proof(address: str) -> str:
    """A token for links in e-mails to `address`: following one proves the address is the
    follower's (only its mailbox received it)."""
    return signing.dumps(visitor_key(address), salt=PROOF_SALT, compress=True)


def address_confirm(proof: str) -> bool:
    """Record the address behind `proof` as confirmed; False for a forged or old token."""
    if not proof or len(proof) > 200:
        return False
    try:
        key = signing.loads(proof, salt=PROOF_SALT, max_age=PROOF_MAX_AGE)
    except signing.BadSignature:
        return False
    ConfirmedAddress.objects.get_or_create(key=key)
    return True


def address_is_confirmed(address: str) -> bool:
    return ConfirmedAddress.objects.filter(key=visitor_key(address)).exists()


def form_admit(*, scope: str, rate: str, client_address: str, email: str, already_made):
    """Admit a public form that makes a record and e-mails `email`, inside the transaction
    that will save the record. Locks the connecting address's row of `scope`, then the e-mail
    address's (always in that order), then asks `already_made()`: the record a resubmission of
    the same form made, returned as it is (nothing taken). Otherwise takes a place from the
    address's `rate` ("5/h") and one e-mail from the address's daily budget, or raises
    LimitReached. Returns None when the caller should save a new record."""
    by_address = counter(scope=scope, visitor=client_address)
    mail = counter(scope="mail", visitor=email)
    existing = already_made()
    if existing is not None:
        return existing
    by_address.take(Rate.parse(rate), reason="address")
    mail_budget_take(mail, address=email)
    return None


def rate_limits_prune(*, now=None) -> int:
    """Delete rows idle for longer than any window: they hold nothing that counts."""
    cutoff = (now or clock.now()) - LONGEST_WINDOW
    deleted, _ = RateLimit.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
