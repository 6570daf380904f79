"""The business details every tax invoice must carry: an ABN that passes its checksum. In
production a missing or wrong one stops the site (an invoice without a valid ABN is not a tax
invoice, and a fund may refuse it); in development it is a warning."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from receipts.abn import abn_is_valid


@register(Tags.compatibility)
def business_abn(app_configs, **kwargs):
    if abn_is_valid(settings.BUSINESS_ABN):
        return []
    kind = Error if settings.PRODUCTION else Warning
    return [
        kind(
            f"BUSINESS_ABN {settings.BUSINESS_ABN!r} is missing or fails the ABN checksum: tax "
            "invoices would carry a wrong ABN.",
            hint="Set BUSINESS_ABN to the business's 11-digit ABN (spaces allowed).",
            id="receipts.E001" if settings.PRODUCTION else "receipts.W001",
        )
    ]
