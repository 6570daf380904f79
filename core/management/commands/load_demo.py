"""`manage.py load_demo`: the demo content a new install starts with.

Safe to run any number of times: every step looks its rows up by a natural key and creates only
what is missing, so a second run changes nothing. Each app contributes its own step (a
`demo.py` with a `load(stdout)` function), listed in DEMO_STEPS in the order they depend on
each other.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction

# Later issues append "shop.demo", "blog.demo", "insurance.demo", "consultations.demo".
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
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

    def _site(self):
        # Only Django's placeholder is replaced: a domain staff have set is left alone.
        Site.objects.filter(pk=settings.SITE_ID, domain="example.com").update(
            domain="127.0.0.1:8000", name=settings.OSCAR_SHOP_NAME
        )

    def _demo_superuser(self):
        User = get_user_model()
        email = settings.DEMO_ADMIN_EMAIL
        if User.objects.filter(email__iexact=email).exists():
            return
        User.objects.create_superuser(
            username=email[:150], email=email, password=settings.DEMO_ADMIN_PASSWORD
        )
        self.stdout.write(f"Created the demo superuser {email}.")
