"""What other parts of the site may read of the health-fund enquiries (the customer's account,
accounts/). Their pages show the reference, fund, product, status and answer: never the
question, the referral, the upload or the internal notes."""

from insurance.models import Enquiry


def enquiries_for_address(email: str):
    """The enquiries sent with this e-mail address (any case), newest first. Only for an
    address its holder has proven (accounts.services.verified_email)."""
    return Enquiry.objects.filter(email__iexact=email).select_related("fund", "product")
