from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    """Private-health-insurance enquiries: "will my health fund cover this support?"."""

    name = "insurance"
    verbose_name = "Health-fund enquiries"
