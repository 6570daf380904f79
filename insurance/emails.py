"""What an enquiry owes: the customer's acknowledgement and answer, and the health-fund team's
notice of a new enquiry. Declared here once; core/outbox.py sends each once."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from core import outbox
from core.encryption import seal
from core.mail import templated_message
from insurance.models import AuditEntry, Enquiry
from insurance.services import audit


def _message(enquiry, kind: str):
    # Officers work in the dashboard; the admin is for superusers only (staff_auth/adminsite.py).
    dashboard_path = reverse("insurance-dashboard:enquiry-detail", args=[enquiry.reference])
    context = {"enquiry": enquiry, "dashboard_url": settings.SITE_URL + dashboard_path}
    if kind == "answer" and enquiry.product_id:
        # The next step: the support (in the size asked about) and a free fitting call on it.
        context["product_url"] = settings.SITE_URL + enquiry.product.get_absolute_url()
        # The size is sealed: a link's query reaches access logs (core.encryption.seal).
        query = {"product": enquiry.product_id, "enquiry": enquiry.reference}
        if enquiry.size:
            query["size"] = seal(enquiry.size)
        fitting = reverse("consultations:book") + "?" + urlencode(query)
        context["fitting_url"] = settings.SITE_URL + fitting
    return templated_message(
        f"insurance/emails/{kind}",
        context,
        to=[settings.INSURANCE_STAFF_EMAIL] if kind == "staff_notice" else [enquiry.email],
    )


def _declare(kind: str, sent_field: str, owed, since: str) -> None:
    outbox.declare(
        outbox.OwedEmail(
            kind=f"enquiry.{kind}",
            owed=owed,
            build=lambda enquiry: _message(enquiry, kind),
            since=since,
            sent_field=sent_field,
            error_field="last_email_error",
            after_sent=lambda enquiry: audit(enquiry, AuditEntry.Action.EMAILED, detail=kind),
            label=lambda enquiry: f"Enquiry {enquiry.reference}",
        )
    )


_declare(
    "acknowledgement",
    "acknowledgement_sent_at",
    lambda now: Enquiry.objects.filter(acknowledgement_sent_at__isnull=True),
    since="created_at",
)
_declare(
    "staff_notice",
    "staff_notified_at",
    lambda now: Enquiry.objects.filter(staff_notified_at__isnull=True),
    since="created_at",
)
_declare(
    "answer",
    "answer_sent_at",
    lambda now: Enquiry.objects.filter(answer_sent_at__isnull=True, answered_at__isnull=False),
    since="answered_at",
)
