"""A customer asks whether their fund covers a support: answered at once, health data kept safe."""

import logging
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.outbox import deliver
from insurance import services
from insurance.models import AuditEntry, Enquiry
from tests.insurance.conftest import MARKER

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submit(client, form_data, **overrides):
    return client.post("/insurance/enquiry/", {**form_data, **overrides})


def test_the_form_preselects_the_product_and_is_never_cached(client, lumbotrain):
    response = client.get("/insurance/enquiry/", {"product": lumbotrain.pk})

    assert response.status_code == 200
    assert re.search(rf'<option value="{lumbotrain.pk}" selected>', response.content.decode())
    assert "no-store" in response["Cache-Control"]
    assert (
        "I agree to Bauerfeind Australia collecting the health information"
        in response.content.decode()
    )


def test_submitting_saves_the_enquiry_and_shows_a_reference_and_the_indicative_answer(
    client, form_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _submit(client, form_data)

    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert re.fullmatch(r"PHI-[23456789A-HJKMNP-Z]{6}", enquiry.reference)
    assert enquiry.question.endswith(MARKER) and enquiry.consent_version
    assert enquiry.indicative_answer["known"] is True
    assert len(callbacks) == 2  # acknowledgement and staff notice, after the commit

    page = client.get(response["Location"])
    html = page.content.decode()
    assert enquiry.reference in html
    assert "Indicative answer for Bupa" in html and "Usually claimable" in html
    assert "only your fund can confirm" in html
    assert "no-store" in page["Cache-Control"]
    assert MARKER not in html


def test_the_same_form_sent_twice_makes_one_enquiry_and_shows_its_reference_again(
    client, form_data, django_capture_on_commit_callbacks
):
    key = re.search(
        r'name="submission_key" value="([0-9a-f-]{36})"',
        client.get("/insurance/enquiry/").content.decode(),
    ).group(1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _submit(client, form_data, submission_key=key)
        again = _submit(Client(), form_data, submission_key=key)  # e.g. after a timeout

    enquiry = Enquiry.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert enquiry.reference in first["Location"]
    assert len(callbacks) == 2, "one acknowledgement and one staff notice, not two of each"


def test_the_confirmation_is_only_shown_to_whoever_sent_it(client, form_data):
    response = _submit(client, form_data)
    client.cookies.clear()

    assert client.get(response["Location"]).status_code == 404


def test_health_details_are_encrypted_in_the_database(client, form_data):
    _submit(client, form_data)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM insurance_enquiry")
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert MARKER not in raw
    assert "lower back" not in raw


def test_the_indicative_answer_comes_from_the_coverage_table(client, form_data, lumbotrain):
    response = client.get(
        "/insurance/indicative/",
        {"fund": form_data["fund"], "cover_level": "basic", "product": lumbotrain.pk},
    )

    answer = response.json()
    assert answer["known"] and answer["category"] == "Back and spine"
    assert answer["cover_ok"] is False  # basic extras: below the mid level the rule asks for
    assert answer["referral_required"] is True
    assert client.get("/insurance/indicative/", {"fund": "x"}).status_code == 400


def test_an_upload_is_stored_encrypted_outside_the_public_media_folder(client, form_data, settings):
    pdf = SimpleUploadedFile("referral.pdf", PDF + MARKER.encode(), content_type="application/pdf")

    _submit(client, form_data, upload=pdf)

    enquiry = Enquiry.objects.get()
    stored = settings.PRIVATE_MEDIA_ROOT / enquiry.upload.name
    assert stored.is_file()
    assert MARKER.encode() not in stored.read_bytes()
    assert "referral" not in enquiry.upload.name
    assert str(settings.MEDIA_ROOT) not in str(stored)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "referral.pdf",
            b"MZ\x90\x00\x03 this is a windows program",
            "Please upload a PDF, JPEG or PNG",
        ),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"not really a png", "damaged"),
        ("huge.pdf", PDF + b"0" * (6 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_uploads_that_are_not_a_small_pdf_or_image_are_refused(
    client, form_data, name, content, message
):
    response = _submit(client, form_data, upload=SimpleUploadedFile(name, content))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Enquiry.objects.count() == 0


def test_each_email_is_sent_once_and_carries_no_health_details(client, form_data):
    _submit(client, form_data)
    enquiry = Enquiry.objects.get()

    for _ in range(2):  # a retried task
        deliver(kind="enquiry.acknowledgement", pk=enquiry.pk)
        deliver(kind="enquiry.staff_notice", pk=enquiry.pk)

    assert len(mail.outbox) == 2
    acknowledgement, notice = sorted(
        mail.outbox, key=lambda m: m.to[0] == "healthfunds@example.com"
    )
    assert (
        acknowledgement.to == ["mia@example.com.au"] and enquiry.reference in acknowledgement.body
    )
    assert (
        notice.to == ["healthfunds@example.com"]
        and f"/dashboard/health-funds/{enquiry.reference}/" in notice.body
    )
    for message in mail.outbox:
        assert MARKER not in message.body and MARKER not in message.alternatives[0][0]
    enquiry.refresh_from_db()
    assert enquiry.acknowledgement_sent_at and enquiry.staff_notified_at


def test_a_failing_mail_server_is_recorded_and_retried(client, form_data, monkeypatch):
    _submit(client, form_data)
    enquiry = Enquiry.objects.get()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        deliver(kind="enquiry.acknowledgement", pk=enquiry.pk)
    enquiry.refresh_from_db()
    assert enquiry.acknowledgement_sent_at is None
    assert enquiry.last_email_error == "acknowledgement: ConnectionRefusedError"

    monkeypatch.undo()
    assert deliver(kind="enquiry.acknowledgement", pk=enquiry.pk) is True


def test_staff_answer_once_and_the_answer_is_emailed(client, form_data, admin_user):
    _submit(client, form_data)
    enquiry = Enquiry.objects.get()

    services.enquiry_answer(
        enquiry_id=enquiry.pk,
        outcome="partly",
        estimated_rebate=D("145.00"),
        message="Bupa pays 50% after 12 months.",
        by=admin_user,
    )
    with pytest.raises(services.AlreadyAnswered):
        services.enquiry_answer(
            enquiry_id=enquiry.pk,
            outcome="covered",
            estimated_rebate=None,
            message="x",
            by=admin_user,
        )
    deliver(kind="enquiry.answer", pk=enquiry.pk)

    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.outcome) == ("answered", "partly")
    answer = [m for m in mail.outbox if "Our answer" in m.subject]
    assert len(answer) == 1 and "Bupa pays 50% after 12 months." in answer[0].body
    assert "$145.00" in answer[0].body


def test_closed_enquiries_are_erased_after_the_retention_period(client, form_data, settings):
    settings.ENQUIRY_RETENTION_DAYS = 730
    pdf = SimpleUploadedFile("referral.pdf", PDF, content_type="application/pdf")
    _submit(client, form_data, upload=pdf)
    _submit(client, form_data)
    old, recent = Enquiry.objects.order_by("pk")
    now = timezone.now()
    Enquiry.objects.filter(pk=old.pk).update(status="closed", closed_at=now - timedelta(days=731))
    Enquiry.objects.filter(pk=recent.pk).update(
        status="closed", closed_at=now - timedelta(days=729)
    )
    upload_path = settings.PRIVATE_MEDIA_ROOT / old.upload.name

    erased = services.enquiries_erase_expired(now=now)

    assert erased == 1
    assert list(Enquiry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not upload_path.exists()
    assert AuditEntry.objects.filter(reference=old.reference, action="erased").exists()


def test_a_burst_of_enquiries_from_one_address_gets_a_friendly_429(client, form_data, settings):
    settings.ENQUIRY_RATE_LIMIT = "2/h"

    statuses = [_submit(client, form_data).status_code for _ in range(3)]
    refused = _submit(client, form_data)

    assert statuses == [302, 302, 429]
    assert Enquiry.objects.count() == 2
    html = refused.content.decode()
    assert "2 enquiries have been sent from your connection in the last hour" in html
    assert "1300 668 466" in html
    assert 'value="Mia Nguyen"' in html and MARKER in html, "what was typed is still there"
    assert int(refused["Retry-After"]) > 55 * 60


def test_a_filled_honeypot_is_refused(client, form_data):
    response = _submit(client, form_data, website="http://spam.example")

    assert response.status_code == 400
    assert Enquiry.objects.count() == 0


def test_nothing_the_customer_typed_reaches_the_logs(client, form_data, caplog):
    caplog.set_level(logging.DEBUG)

    _submit(client, form_data)
    _submit(client, form_data, email="not-an-email")  # a refused one too
    enquiry = Enquiry.objects.first()
    deliver(kind="enquiry.acknowledgement", pk=enquiry.pk)

    assert MARKER not in caplog.text
    assert "mia@example.com.au" not in caplog.text


def test_only_a_superuser_opens_an_enquiry_in_the_admin_and_it_is_audited(
    client, form_data, admin_user
):
    _submit(client, form_data)
    enquiry = Enquiry.objects.get()
    User = get_user_model()
    officer = User.objects.create_user(
        "officer", "officer@example.com", "pw-officer-123", is_staff=True
    )
    officer.user_permissions.add(Permission.objects.get(codename="handle_enquiry"))
    other = User.objects.create_user("packer", "packer@example.com", "pw-packer-123", is_staff=True)

    for staff in (other, officer):  # officers work in the dashboard, not the admin
        client.force_login(staff)
        assert client.get(f"/admin/insurance/enquiry/{enquiry.pk}/change/").status_code == 403
        assert client.get("/admin/insurance/enquiry/").status_code == 403

    client.force_login(admin_user)
    page = client.get(f"/admin/insurance/enquiry/{enquiry.pk}/change/")
    assert page.status_code == 200
    assert MARKER in page.content.decode()  # decrypted only here
    assert AuditEntry.objects.filter(
        reference=enquiry.reference, action="viewed", actor=admin_user
    ).exists()


def test_permitted_staff_download_the_upload_and_it_is_audited(client, form_data):
    pdf = SimpleUploadedFile("referral.pdf", PDF, content_type="application/pdf")
    _submit(client, form_data, upload=pdf)
    enquiry = Enquiry.objects.get()
    officer = get_user_model().objects.create_user(
        "officer", "o@example.com", "pw-officer-123", is_staff=True
    )
    officer.user_permissions.add(Permission.objects.get(codename="handle_enquiry"))

    client.force_login(officer)
    response = client.get(f"/dashboard/health-funds/{enquiry.reference}/upload/")

    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(reference=enquiry.reference, action="upload_viewed").exists()


def test_the_lumbotrain_page_leads_to_the_form_with_the_product_chosen(client, lumbotrain):
    page = client.get(lumbotrain.get_absolute_url()).content.decode()

    link = f'href="/insurance/enquiry/?product={lumbotrain.pk}"'
    assert link in page and "Will my health fund cover this?" in page
    form = client.get(f"/insurance/enquiry/?product={lumbotrain.pk}").content.decode()
    assert f'<option value="{lumbotrain.pk}" selected>' in form
