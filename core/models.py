from django.db import models


class PageGeneration(models.Model):
    """One row whose `value` goes up with every change to what the public pages show.

    Database triggers bump it (core/pagecache_triggers.py), in the same transaction as the
    change, so a cached page stored under a generation can never outlive the data it shows:
    see core/pagecache.py."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "page generation"

    def __str__(self):
        return f"page generation {self.value}"
