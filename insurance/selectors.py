"""What other parts of the site may read of the health-fund enquiries (the customer's account,
accounts/). Their pages show the reference, fund, product, status and answer: never the
question, the referral, the upload or the internal notes."""

from insurance.models import Enquiry


def enquiries_for_address(email: str):
    """The enquiries sent with this e-mail address (any case), newest first. Only for an
    address its holder has proven (accounts.services.verified_email)."""
    return Enquiry.objects.filter(email__iexact=email).select_related("fund", "product")


def enquiry_reference_before(*, email: str, product_ids, before) -> str:
    """The reference of the latest enquiry sent with this address (any case) about one of
    these products before `before` (an order's time), or "": printed on the order's receipt,
    so the fund can match the claim to what it was asked. Only the reference leaves here."""
    return (
        Enquiry.objects.filter(
            email__iexact=email, product_id__in=list(product_ids), created_at__lt=before
        )
        .order_by("-created_at")
        .values_list("reference", flat=True)
        .first()
        or ""
    )
