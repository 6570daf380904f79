"""What an account owes: the link that proves its e-mail address (core/outbox.py sends it)."""

from django.conf import settings
from django.urls import reverse

from accounts.models import EmailVerification, SignInCode
from accounts.services import verification_token
from core import outbox
from core.mail import templated_message


def _message(verification):
    link = reverse("accounts:verify-confirm", args=[verification_token(verification)])
    return templated_message(
        "accounts/emails/verification",
        {"verify_url": settings.SITE_URL + link, "hours": settings.ACCOUNT_VERIFICATION_HOURS},
        to=[verification.email],
        subject=f"Confirm your e-mail address for {settings.OSCAR_SHOP_NAME}",
    )


outbox.declare(
    outbox.OwedEmail(
        kind="account.verification",
        owed=lambda now: EmailVerification.objects.filter(
            sent_at__isnull=True, verified_at__isnull=True
        ),
        build=_message,
        since="created_at",
        sent_field="sent_at",
        error_field="last_email_error",
        label=lambda verification: f"Account e-mail verification {verification.pk}",
    )
)


def _code_message(code):
    from accounts.signin import link_token

    link = reverse("accounts:sign-in-link", args=[link_token(code)])
    return templated_message(
        "accounts/emails/sign_in_code",
        {
            "code": code.code,
            "link": settings.SITE_URL + link,
            "minutes": settings.SIGN_IN_CODE_MINUTES,
        },
        to=[code.email],
        subject=f"Your {settings.OSCAR_SHOP_NAME} sign-in code: {code.code}",
    )


outbox.declare(
    outbox.OwedEmail(
        kind="account.sign_in_code",
        # Owed only while it can still be used: a code sent late is no use to anybody.
        owed=lambda now: SignInCode.objects.filter(
            sent_at__isnull=True, used_at__isnull=True, expires_at__gt=now
        ),
        build=_code_message,
        since="created_at",
        sent_field="sent_at",
        error_field="last_email_error",
        label=lambda code: f"Sign-in code {code.pk}",
    )
)
