from django.core.management.base import BaseCommand

from shop.search import documents_rebuild


class Command(BaseCommand):
    help = "Remake every product's search document (after a bulk import that skipped signals)."

    def handle(self, *args, **options):
        self.stdout.write(f"Indexed {documents_rebuild()} products.")
