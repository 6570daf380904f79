"""The consent customers give, word for word. Change the text → change the version: each
enquiry stores both, so what a customer agreed to can always be shown."""

CONSENT_VERSION = "2026-11-1"
CONSENT_TEXT = (
    "I agree to Bauerfeind Australia collecting the health information in this form (my "
    "health fund details, my question and any referral or quote I upload) to answer my "
    "question about health-fund cover, and to contacting me about it. It is seen only by the "
    "staff who answer health-fund enquiries and is deleted two years after my enquiry is "
    "closed."
)
