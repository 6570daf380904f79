"""Proving an account's e-mail address, and what that proof shows.

The link is a signed, timestamped id (django.core.signing): nothing secret is stored, a made-up
or altered link fails its signature, an old one its age, a used one the `verified_at` already
set, and one followed from another account (or after the account's address changed) the
check that the verification is this account's, for its current address."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction

from accounts.models import EmailVerification
from core import clock, outbox
from shop.services import guest_orders_claim

SALT = "accounts.email-verification"
# A new link is e-mailed at most this often for one account (a double click sends one).
RESEND_AFTER = timedelta(minutes=10)


class VerificationRefused(Exception):
    """The link is not this account's, not valid, used, or out of date: one answer for all."""


def verified_email(user) -> str | None:
    """The account's e-mail address if its holder has proven it is theirs, else None."""
    if not user.is_authenticated or not user.email:
        return None
    proven = (
        EmailVerification.objects.filter(
            user=user, email__iexact=user.email, verified_at__isnull=False
        )
        .values_list("email", flat=True)
        .first()
    )
    return user.email if proven else None


def verification_request(*, user) -> EmailVerification:
    """E-mail the account's address a link that proves it (through the outbox). Asked again
    within RESEND_AFTER, the same request is returned and nothing new is sent."""
    with transaction.atomic():
        recent = EmailVerification.objects.filter(
            user=user,
            email__iexact=user.email,
            verified_at__isnull=True,
            created_at__gt=clock.now() - RESEND_AFTER,
        ).first()
        if recent is not None:
            return recent
        verification = EmailVerification.objects.create(user=user, email=user.email)
        outbox.owe("account.verification", verification.pk)
    return verification


def verification_token(verification) -> str:
    return signing.dumps(verification.pk, salt=SALT)


def verification_confirm(*, user, token: str) -> EmailVerification:
    """Mark the request behind `token` verified, if it is this account's, for its current
    address, unused and younger than ACCOUNT_VERIFICATION_HOURS."""
    max_age = timedelta(hours=settings.ACCOUNT_VERIFICATION_HOURS)
    try:
        pk = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired included
        raise VerificationRefused from None
    with transaction.atomic():
        verification = (
            EmailVerification.objects.select_for_update().filter(pk=pk, user=user).first()
        )
        if (
            verification is None
            or verification.verified_at is not None
            or verification.email.lower() != (user.email or "").lower()
        ):
            raise VerificationRefused
        verification.verified_at = clock.now()
        verification.save(update_fields=["verified_at"])
        guest_records_claim(user=user)
    return verification


def guest_records_claim(*, user) -> None:
    """The orders placed as a guest with the account's proven address join its order history
    (Oscar's lists orders by account). Enquiries and calls need no claiming: the account's
    tabs find them by the proven address. Run when the address is proven and at each sign-in
    (a guest order placed since). Nothing happens for an unproven address."""
    email = verified_email(user)
    if email:
        guest_orders_claim(user=user, email=email)
