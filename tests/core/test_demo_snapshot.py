"""The tests' `load_demo` fixture (tests/demo_snapshot.py) gives a test what
`call_command("load_demo")` would: the same rows in every table, the same pictures stored."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from oscar.core.loading import get_model

from shop.search import matching_product_ids, query_words
from tests.database_state import models

Product = get_model("catalogue", "Product")


def _rows_per_table():
    return {model._meta.db_table: model._base_manager.count() for model in models()}


def _stored(root):
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_restored_demo_has_every_row_and_picture_the_command_makes(
    db, settings, tmp_path, load_demo, demo_snapshot
):
    settings.MEDIA_ROOT = tmp_path / "loaded"
    with transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        loaded = _rows_per_table()
        transaction.set_rollback(True)

    settings.MEDIA_ROOT = tmp_path / "restored"
    restored_before = demo_snapshot.restored
    load_demo()

    assert demo_snapshot.restored == restored_before + 1, "restored, not loaded again"
    assert _rows_per_table() == loaded
    assert _stored(tmp_path / "restored") == _stored(tmp_path / "loaded")
    # the command itself finds everything it would make already there
    call_command("load_demo", stdout=StringIO())
    assert _rows_per_table() == loaded
    # the search index is built over the restored search documents
    found = Product.objects.filter(pk__in=matching_product_ids(query_words("lumbotrain")))
    assert Product.objects.get(upc="LUMBOTRAIN") in found


def test_with_rows_of_its_own_first_a_test_gets_the_command_itself(db, load_demo, demo_snapshot):
    get_user_model().objects.create_user("shop@example.com", "shop@example.com", "x")
    loaded_before = demo_snapshot.loaded

    load_demo()

    assert demo_snapshot.loaded == loaded_before + 1
    assert Product.objects.filter(upc="LUMBOTRAIN").exists()
    assert get_user_model().objects.get(email="shop@example.com").groups.exists()
