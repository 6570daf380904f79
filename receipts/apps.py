from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    """Claim-ready paperwork (issue 18): GST tax invoices and receipts for paid orders, as
    PDFs, numbered from gapless sequences, stored privately and e-mailed once through the
    outbox. Above the departments, beside accounts: the health-fund section reads the call
    that led to an order (consultations) and the enquiry before it (insurance)."""

    name = "receipts"
    verbose_name = "Tax invoices and receipts"

    def ready(self):
        # checks: the ABN; emails: what a paid order owes (the outbox); receivers: an order
        # marked paid gets its tax invoice.
        from receipts import checks, emails, receivers  # noqa: F401

        receivers.connect()
