"""The health-fund officers' screens in the dashboard: only for them, and every look audited."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection

from core.outbox import deliver
from insurance.models import AuditEntry, CoverageRule, Enquiry
from tests.insurance.conftest import MARKER, Product


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
        f"/dashboard/health-funds/{enquiry.reference}/upload/",
        "/dashboard/health-funds/coverage/",
        "/dashboard/health-funds/coverage/new/",
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
    deliver(kind="enquiry.answer", pk=enquiry.pk)  # what the worker does

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


def test_internal_notes_are_kept_encrypted_shown_to_officers_and_audited(client, enquiry):
    officer = _staff("olivia", "Health-fund officer")
    client.force_login(officer)
    url = f"/dashboard/health-funds/{enquiry.reference}/"

    response = client.post(url, {"note": "1", "text": f"Rang Bupa, {MARKER} confirmed"})
    page = client.get(url).content.decode()

    assert response.status_code == 302
    assert f"Rang Bupa, {MARKER} confirmed" in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM insurance_enquirynote")
        (stored,) = cursor.fetchone()
    assert MARKER not in stored  # encrypted at rest
    assert AuditEntry.objects.filter(
        reference=enquiry.reference, action="note_added", actor=officer
    ).exists()
    assert MARKER not in mail_bodies()  # never sent to the customer


def mail_bodies() -> str:
    return " ".join(message.body for message in mail.outbox)


def test_an_empty_note_is_refused_beside_its_field(client, enquiry):
    client.force_login(_staff("olivia", "Health-fund officer"))

    response = client.post(f"/dashboard/health-funds/{enquiry.reference}/", {"note": "1"})

    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    assert not enquiry.notes.exists()


def test_the_queue_filters_by_product(client, enquiry, lumbotrain):
    client.force_login(_staff("olivia", "Health-fund officer"))
    other = Product.objects.exclude(pk=lumbotrain.pk).filter(parent=None).first()

    for_lumbotrain = client.get("/dashboard/health-funds/", {"product": lumbotrain.pk})
    for_other = client.get("/dashboard/health-funds/", {"product": other.pk})

    assert enquiry.reference in for_lumbotrain.content.decode()
    # Only products someone asked about can be chosen; anything else is ignored, not a 500.
    assert for_other.status_code == 200


def test_the_upload_is_404_when_there_is_none(client, enquiry):
    client.force_login(_staff("olivia", "Health-fund officer"))

    assert client.get(f"/dashboard/health-funds/{enquiry.reference}/upload/").status_code == 404


def _indicative(client, form_data, lumbotrain):
    return client.get(
        "/insurance/indicative/",
        {"fund": form_data["fund"], "cover_level": "top", "product": lumbotrain.pk},
    ).json()


def test_an_officer_edits_the_coverage_table_and_the_next_customer_sees_it(
    client, form_data, lumbotrain
):
    client.force_login(_staff("olivia", "Health-fund officer"))
    rule = CoverageRule.objects.get(fund_id=form_data["fund"], category__name="Back and spine")
    listing = client.get("/dashboard/health-funds/coverage/")
    data = {
        **{f: getattr(rule, f) for f in ("claimable", "minimum_cover", "waiting_period_months")},
        "fund": rule.fund_id,
        "category": rule.category_id,
        "referral_required": "",
        "rebate_min_percent": 40,
        "rebate_max_percent": 55,
        "annual_limit_aud": "",
        "notes": "",
    }

    response = client.post(f"/dashboard/health-funds/coverage/{rule.pk}/", data)

    assert listing.status_code == 200 and "Back and spine" in listing.content.decode()
    assert response.status_code == 302
    answer = _indicative(client, form_data, lumbotrain)
    assert (answer["rebate_min_percent"], answer["rebate_max_percent"]) == (40, 55)
    assert answer["referral_required"] is False


def test_a_bad_coverage_rule_is_refused_with_the_reason(client, form_data):
    client.force_login(_staff("olivia", "Health-fund officer"))
    rule = CoverageRule.objects.get(fund_id=form_data["fund"], category__name="Back and spine")
    data = {
        "fund": rule.fund_id,
        "category": rule.category_id,
        "claimable": "usually",
        "minimum_cover": "mid",
        "waiting_period_months": 2,
        "rebate_min_percent": 80,
        "rebate_max_percent": 120,
    }

    too_high = client.post("/dashboard/health-funds/coverage/new/", data)
    twice = client.post("/dashboard/health-funds/coverage/new/", {**data, "rebate_max_percent": 90})

    assert too_high.status_code == 400 and "at most 100%" in too_high.content.decode()
    assert twice.status_code == 400  # one rule per fund and category
    assert "already exists" in twice.content.decode()
    assert CoverageRule.objects.filter(fund_id=rule.fund_id, category=rule.category).count() == 1
