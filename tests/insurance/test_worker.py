"""Each enquiry task, run by a real Celery worker on the configured Redis."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from insurance import services, tasks
from insurance.models import Enquiry, HealthFund
from tests.waiting import wait_for

Product = get_model("catalogue", "Product")


def test_the_worker_sends_every_enquiry_email_once_and_erases_expired_ones(
    client, celery_worker, settings, tmp_path, load_demo
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()
    client.post(
        "/insurance/enquiry/",
        {
            "name": "Mia Nguyen", "email": "mia@example.com.au", "phone": "", "state": "VIC",
            "postcode": "3000", "fund": HealthFund.objects.get(slug="hcf").pk,
            "cover_level": "mid", "product": Product.objects.get(upc="LUMBOTRAIN").pk,
            "referral": "gp", "question": "Is it covered?", "contact_preference": "email",
            "consent": "on",
        },
    )  # fmt: skip
    enquiry = Enquiry.objects.get()

    # acknowledgement and staff notice, queued on commit
    wait_for(lambda: len(mail.outbox) == 2)
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-boss-123")
    services.enquiry_answer(
        enquiry_id=enquiry.pk, outcome="covered", estimated_rebate=None, message="Yes.", by=admin
    )
    wait_for(lambda: len(mail.outbox) == 3)
    assert sorted(m.subject.split(" ")[0] for m in mail.outbox) == ["New", "Our", "Your"]

    Enquiry.objects.filter(pk=enquiry.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=800)
    )
    tasks.erase_expired_enquiries.delay()
    wait_for(lambda: not Enquiry.objects.exists())
