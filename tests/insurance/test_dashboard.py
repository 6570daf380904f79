"""The health-fund officers' screens in the dashboard: only for them, and every look audited."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from insurance import services
from insurance.models import AuditEntry, Enquiry
from tests.insurance.conftest import MARKER


@pytest.fixture
def enquiry(client, form_data):
    client.post("/insurance/enquiry/", form_data)
    client.cookies.clear()
    return Enquiry.objects.get()


def _staff(username, role=None):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", "pw-12345-x", is_staff=True
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def test_an_officer_sees_the_queue_opens_an_enquiry_and_it_is_audited(client, enquiry):
    officer = _staff("olivia", "Health-fund officer")
    client.force_login(officer)

    queue = client.get("/dashboard/health-funds/")
    detail = client.get(f"/dashboard/health-funds/{enquiry.reference}/")

    assert queue.status_code == 200 and enquiry.reference in queue.content.decode()
    assert detail.status_code == 200
    assert MARKER in detail.content.decode()  # decrypted here, for the officer
    assert "no-store" in detail["Cache-Control"]
    assert AuditEntry.objects.filter(
        reference=enquiry.reference, action="viewed", actor=officer
    ).exists()
    assert "Health funds" in client.get("/dashboard/").content.decode()


@pytest.mark.parametrize("role", ["Editor", "Shop manager", "Consultation expert", None])
def test_other_staff_get_403_and_do_not_see_the_section(client, enquiry, role):
    client.force_login(_staff("someone", role))

    for url in (
        "/dashboard/health-funds/",
        f"/dashboard/health-funds/{enquiry.reference}/",
        "/dashboard/health-funds/?format=csv",
    ):
        assert client.get(url).status_code == 403, url
    assert "Health funds" not in client.get("/dashboard/").content.decode()
    assert not AuditEntry.objects.filter(action="viewed").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, enquiry):
    response = client.get("/dashboard/health-funds/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_an_officer_answers_and_the_customer_gets_the_answer_email(client, enquiry):
    client.force_login(_staff("olivia", "Health-fund officer"))

    response = client.post(
        f"/dashboard/health-funds/{enquiry.reference}/",
        {
            "answer": "1",
            "outcome": "partly",
            "estimated_rebate": "120.00",
            "message": "Bupa pays 50%.",
        },
    )
    services.enquiry_email_send(enquiry_id=enquiry.pk, kind="answer")  # what the worker does

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.outcome) == ("answered", "partly")
    answer = [m for m in mail.outbox if "Our answer" in m.subject]
    assert len(answer) == 1 and "Bupa pays 50%." in answer[0].body


def test_a_bad_answer_is_refused_beside_its_field(client, enquiry):
    client.force_login(_staff("olivia", "Health-fund officer"))

    response = client.post(
        f"/dashboard/health-funds/{enquiry.reference}/",
        {"answer": "1", "outcome": "maybe", "estimated_rebate": "-5", "message": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_outcome_error"' in html and 'id="id_message_error"' in html
    assert Enquiry.objects.get().answered_at is None


def test_the_csv_export_follows_the_filter_and_is_audited(client, enquiry, form_data):
    client.force_login(_staff("olivia", "Health-fund officer"))

    response = client.get("/dashboard/health-funds/", {"q": enquiry.reference, "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Reference" and rows[1][0] == enquiry.reference
    assert MARKER not in response.content.decode()  # no health details in an export
    assert AuditEntry.objects.filter(reference=enquiry.reference, action="exported").exists()


def test_closing_an_enquiry_records_who_and_when(client, enquiry):
    officer = _staff("olivia", "Health-fund officer")
    client.force_login(officer)

    client.post(
        f"/dashboard/health-funds/{enquiry.reference}/",
        {"status": "closed", "assigned_to": officer.pk},
    )

    enquiry.refresh_from_db()
    assert enquiry.status == "closed" and enquiry.closed_at and enquiry.assigned_to == officer
    assert AuditEntry.objects.filter(
        reference=enquiry.reference, action="changed", actor=officer
    ).exists()
