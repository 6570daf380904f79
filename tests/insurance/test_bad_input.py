"""Every kind of bad input gets a message beside its field and a 4xx; nothing else is lost."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import RateLimit
from insurance.models import Enquiry


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required"),
        ("name", "x" * 500, "at most 120 characters"),
        ("email", "mia@", "Enter a valid email address"),
        ("phone", "+44 20 7946 0958", "Enter an Australian phone number"),
        ("phone", "<b>0412</b>", "Enter an Australian phone number"),
        ("state", "ZZ", "Select a valid choice"),
        ("postcode", "3000", "3000 is not a New South Wales postcode"),
        ("postcode", "20a0", "Enter a 4-digit Australian postcode"),
        ("fund", "999999", "Select a valid choice"),
        ("fund", "'; DROP TABLE insurance_enquiry; --", "Select a valid choice"),
        ("cover_level", "platinum", "Select a valid choice"),
        ("product", "999999", "Select a valid choice"),
        ("referral", "witch-doctor", "Select a valid choice"),
        ("question", "", "This field is required"),
        ("question", "q" * 2001, "at most 2000 characters"),
        ("consent", "", "Please tick the box to agree"),
        ("contact_preference", "pigeon", "Select a valid choice"),
    ],
)
def test_bad_field_gets_a_message_beside_it_and_the_rest_is_kept(
    client, form_data, field, value, message
):
    response = client.post("/insurance/enquiry/", {**form_data, field: value})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html and 'aria-invalid="true"' in html
    assert 'value="Mia Nguyen"' in html or field == "name"
    assert "Can I claim for my lower back?" in html or field == "question"
    assert Enquiry.objects.count() == 0


def test_other_fund_needs_its_name(client, form_data):
    from insurance.models import HealthFund

    other = HealthFund.objects.get(slug="other")
    response = client.post("/insurance/enquiry/", {**form_data, "fund": other.pk})

    assert response.status_code == 400
    assert "Tell us the name of your fund" in response.content.decode()


def test_a_call_back_needs_a_phone_number(client, form_data):
    response = client.post(
        "/insurance/enquiry/", {**form_data, "contact_preference": "phone", "phone": ""}
    )

    assert response.status_code == 400
    assert "Add a phone number" in response.content.decode()


FIELDS = [
    "name", "email", "phone", "state", "postcode", "fund", "fund_other_name",
    "membership_number", "cover_level", "product", "size", "referral", "referral_details",
    "question", "contact_preference", "consent", "website",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=300),
    st.integers().map(str),
    st.sampled_from(["", "0", "-1", "1e309", "NaN", "on", "top", "NSW", "2000", "\x00", "%00"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(overrides=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6))
def test_random_input_never_causes_a_server_error(client, form_data, overrides):
    RateLimit.objects.all().delete()  # keep the form limits out of the way
    response = client.post("/insurance/enquiry/", {**form_data, **overrides})

    assert response.status_code in (302, 400), response.status_code
