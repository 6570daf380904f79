"""What an account owes: the link that proves its e-mail address (core/outbox.py sends it)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import EmailVerification
from accounts.services import verification_token
from core import outbox


def _message(verification) -> EmailMultiAlternatives:
    link = reverse("accounts:verify-confirm", args=[verification_token(verification)])
    context = {
        "verify_url": settings.SITE_URL + link,
        "hours": settings.ACCOUNT_VERIFICATION_HOURS,
        "shop_name": settings.OSCAR_SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
    }
    message = EmailMultiAlternatives(
        subject=f"Confirm your e-mail address for {settings.OSCAR_SHOP_NAME}",
        body=render_to_string("accounts/emails/verification.txt", context),
        to=[verification.email],
    )
    message.attach_alternative(
        render_to_string("accounts/emails/verification.html", context), "text/html"
    )
    return message


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
