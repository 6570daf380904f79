import pytest
from oscar.core.loading import get_model

from insurance.models import HealthFund

Product = get_model("catalogue", "Product")

MARKER = "ZQX-SECRET-7731"  # typed by the "customer"; must never appear outside the database


@pytest.fixture
def demo(db, settings, tmp_path, load_demo):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()


@pytest.fixture
def lumbotrain(demo):
    return Product.objects.get(upc="LUMBOTRAIN")


@pytest.fixture
def form_data(lumbotrain):
    return {
        "name": "Mia Nguyen",
        "email": "mia@example.com.au",
        "phone": "0412 345 678",
        "state": "NSW",
        "postcode": "2000",
        "fund": HealthFund.objects.get(slug="bupa").pk,
        "fund_other_name": "",
        "membership_number": f"M-{MARKER}",
        "cover_level": "top",
        "product": lumbotrain.pk,
        "size": "3",
        "referral": "physiotherapist",
        "referral_details": f"Dr Lee {MARKER}",
        "question": f"Can I claim for my lower back? {MARKER}",
        "contact_preference": "email",
        "consent": "on",
        "website": "",
    }
