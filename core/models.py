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


class RateLimit(models.Model):
    """What one visitor (an address, an e-mail address) has recently made the site do, for the
    limits in core/limits.py: one row per limit and visitor, locked while a request checks it.

    The visitor is kept only as a keyed hash (`key`), never as the address itself."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    hits = models.JSONField(default=list, help_text="Times (Unix seconds) of recent hits.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_rate_limit_per_visitor")
        ]

    def __str__(self):
        return f"{self.scope} {self.key[:8]}: {len(self.hits)}"


class ConfirmedAddress(models.Model):
    """An e-mail address whose owner has followed a link we sent to it: the site may write
    to it more often than to an address anybody could have typed into a form
    (core/limits.py). Kept as a keyed hash."""

    key = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "confirmed addresses"

    def __str__(self):
        return f"{self.key[:8]} confirmed {self.confirmed_at:%Y-%m-%d}"


class OutboxClaim(models.Model):
    """A worker is sending this owed e-mail now (core/outbox.py): nobody else sends it until
    it is recorded, fails, or `claimed_until` passes (the worker died mid-send)."""

    kind = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    claimed_until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_sender_per_email")
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} until {self.claimed_until:%H:%M:%S}"


class FunnelDay(models.Model):
    """How many visits that began on `landing` (an article, "article:12") took `step` on
    `day` (core/funnel.py): counts only, nothing about who."""

    day = models.DateField()
    landing = models.CharField(max_length=60)
    step = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "landing", "step"], name="one_count_per_day")
        ]
        indexes = [models.Index(fields=["landing", "day"])]

    def __str__(self):
        return f"{self.day} {self.landing} {self.step}: {self.count}"
