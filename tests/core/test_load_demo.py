from io import StringIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command


def _snapshot() -> str:
    """Every row of every table, as dumpdata writes them (views like Oscar's are left out)."""
    unmanaged = [m._meta.label for m in apps.get_models() if not m._meta.managed]
    out = StringIO()
    call_command("dumpdata", exclude=["sessions", *unmanaged], stdout=out, indent=0)
    return out.getvalue()


def test_load_demo_twice_leaves_the_same_rows(db, settings):
    call_command("load_demo", stdout=StringIO())
    first = _snapshot()

    call_command("load_demo", stdout=StringIO())

    assert _snapshot() == first


def test_load_demo_creates_the_demo_superuser_in_development(db, settings):
    settings.DEMO_ADMIN_EMAIL = "owner@example.com.au"
    settings.DEMO_ADMIN_PASSWORD = "a-long-demo-password"

    call_command("load_demo", stdout=StringIO())

    user = get_user_model().objects.get(email="owner@example.com.au")
    assert user.is_staff and user.is_superuser
    assert user.check_password("a-long-demo-password")


def test_load_demo_never_creates_a_superuser_in_production(db, settings):
    settings.PRODUCTION = True

    call_command("load_demo", stdout=StringIO())

    assert not get_user_model().objects.filter(is_superuser=True).exists()
