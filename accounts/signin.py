"""Sign-in without a password, for customers (never staff: they sign in with their password
and second factor): a 6-digit code or a one-time link e-mailed to the account's address.

- Valid for SIGN_IN_CODE_MINUTES, used once; SIGN_IN_CODE_ATTEMPTS wrong codes kill it.
- Asking for one is limited per connecting address (SIGN_IN_CODE_RATE_LIMIT) and per e-mail
  address (SIGN_IN_CODE_EMAILS_PER_HOUR), counted in the database like the forms' limits
  (core/limits.py), whether or not the address has an account.
- No answer says whether an address has an account: the page after asking reads the same,
  and a code for an address without one is simply never right.
- Signing in by a code or link sent to the address also proves the address is the holder's
  (accounts/services.py): their guest records show in the account at once.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import F

from accounts.models import EmailVerification, SignInCode
from core import clock, limits, outbox

LINK_SALT = "accounts.sign-in-link"


class CodeRefused(Exception):
    """Wrong, used, expired or dead: one answer for all."""


def code_request(*, email: str, client_address: str) -> None:
    """E-mail a code and link to `email` if a customer account uses it (raises
    core.limits.LimitReached when the connection or the address has asked too often)."""
    email = email.strip()
    with transaction.atomic():
        limits.counter(scope="sign-in-code", visitor=client_address).take(
            limits.Rate.parse(settings.SIGN_IN_CODE_RATE_LIMIT), reason="address"
        )
        limits.counter(scope="sign-in-code-email", visitor=email).take(
            limits.Rate(settings.SIGN_IN_CODE_EMAILS_PER_HOUR, timedelta(hours=1)),
            reason="mail",
        )
        user = (
            get_user_model()
            .objects.filter(email__iexact=email, is_active=True, is_staff=False)
            .order_by("pk")
            .first()
        )
        if user is None:
            return
        now = clock.now()
        code = SignInCode.objects.create(
            user=user,
            email=user.email,
            code=f"{secrets.randbelow(10**6):06d}",
            created_at=now,
            expires_at=now + timedelta(minutes=settings.SIGN_IN_CODE_MINUTES),
        )
        outbox.owe("account.sign_in_code", code.pk)


def link_token(code: SignInCode) -> str:
    return signing.dumps(code.pk, salt=LINK_SALT)


def _usable(codes):
    return codes.filter(
        used_at__isnull=True,
        expires_at__gt=clock.now(),
        attempts__lt=settings.SIGN_IN_CODE_ATTEMPTS,
        user__is_active=True,
        user__is_staff=False,
    )


def code_check(*, email: str, code: str):
    """The user whose latest live code for `email` is `code` (used up now), or CodeRefused.
    A wrong code counts against that code."""
    with transaction.atomic():
        latest = (
            _usable(SignInCode.objects.filter(email__iexact=email.strip()))
            .select_for_update(of=("self",))
            .select_related("user")
            .first()
        )
        if latest is None:
            raise CodeRefused
        if hmac.compare_digest(latest.code, code.strip()):
            return _use(latest)
        # Counted in this transaction, which commits: the refusal is raised after it.
        SignInCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
    raise CodeRefused


def link_check(*, token: str):
    """The user a one-time link signs in (used up now), or CodeRefused."""
    max_age = timedelta(minutes=settings.SIGN_IN_CODE_MINUTES)
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.BadSignature:
        raise CodeRefused from None
    with transaction.atomic():
        found = (
            _usable(SignInCode.objects.filter(pk=pk))
            .select_for_update(of=("self",))
            .select_related("user")
            .first()
        )
        if found is None:
            raise CodeRefused
        return _use(found)


def _use(code: SignInCode):
    now = clock.now()
    code.used_at = now
    code.save(update_fields=["used_at"])
    user = code.user
    if code.email.lower() == user.email.lower():
        # The mailbox received it: the address is the holder's.
        EmailVerification.objects.create(
            user=user, email=user.email, created_at=now, sent_at=now, verified_at=now
        )
    return user
