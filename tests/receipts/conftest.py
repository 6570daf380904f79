import pytest
from oscar.core.loading import get_model


@pytest.fixture
def demo(db, load_demo, settings, tmp_path):
    """The demo shop, with its private files (the stored PDFs) in a folder of the test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()


@pytest.fixture
def committed_demo(on_postgres, committed_db, load_demo, settings, tmp_path):
    """The demo shop committed, for threads with connections of their own (PostgreSQL)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    load_demo()
    get_model("partner", "StockRecord").objects.filter(partner_sku="LT-3-TIT").update(
        num_in_stock=100
    )
