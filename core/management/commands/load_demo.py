"""`manage.py load_demo`: the demo content a new install starts with.

Safe to run any number of times: every step looks its rows up by a natural key and creates only
what is missing, so a second run changes nothing. Each app contributes its own step (a
`demo.py` with a `load(stdout)` function), listed in DEMO_STEPS in the order they depend on
each other.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_STAFF = [
    ("shop@example.com", "Shop manager"),
    ("officer@example.com", "Health-fund officer"),
    ("lead@example.com", "Consultation lead"),
    ("editor@example.com", "Editor"),
]
DEMO_STEPS: list[str] = ["shop.demo", "blog.demo", "insurance.demo", "consultations.demo"]


class Command(BaseCommand):
    help = "Load the demo content (idempotent). In development mode also the demo superuser."

    def handle(self, *args, **options):
        with transaction.atomic():
            self._site()
            for module in DEMO_STEPS:
                import_module(module).load(self.stdout)
            if settings.PRODUCTION:
                self.stdout.write("Production mode: no demo superuser created.")
            else:
                self._demo_superuser()
                self._demo_staff()
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

    def _site(self):
        # Only Django's placeholder is replaced: a domain staff have set is left alone.
        Site.objects.filter(pk=settings.SITE_ID, domain="example.com").update(
            domain="127.0.0.1:8000", name=settings.OSCAR_SHOP_NAME
        )

    def _demo_staff(self):
        """One account per staff role (README, "Demo accounts"), and the demo experts in
        their role; all with DEMO_STAFF_PASSWORD. Never in production."""
        User = get_user_model()
        for email, role in DEMO_STAFF:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    username=email,
                    email=email,
                    password=settings.DEMO_STAFF_PASSWORD,
                    is_staff=True,
                )
                self.stdout.write(f"Created the demo {role.lower()} {email}.")
            user.groups.add(Group.objects.get(name=role))
        unusable = {"password__startswith": UNUSABLE_PASSWORD_PREFIX}
        experts = User.objects.filter(expert__isnull=False, **unusable)
        for user in experts:  # demo experts are made without a usable password
            user.set_password(settings.DEMO_STAFF_PASSWORD)
            user.save(update_fields=["password"])
        expert_role = Group.objects.get(name="Consultation expert")
        for user in User.objects.filter(expert__isnull=False).exclude(groups=expert_role):
            user.groups.add(expert_role)

    def _demo_superuser(self):
        User = get_user_model()
        email = settings.DEMO_ADMIN_EMAIL
        if User.objects.filter(email__iexact=email).exists():
            return
        User.objects.create_superuser(
            username=email[:150], email=email, password=settings.DEMO_ADMIN_PASSWORD
        )
        self.stdout.write(f"Created the demo superuser {email}.")
