"""System checks for this project's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_second_factor(app_configs, **kwargs):
    """Production with the staff second factor switched off is a deployment mistake: the
    dashboard holds customers' health details and orders behind a password alone."""
    if settings.DJANGO_ENV == "production" and not settings.STAFF_TWO_FACTOR:
        return [
            Warning(
                "STAFF_TWO_FACTOR is off: staff open the dashboard and admin with a password "
                "alone.",
                hint="Unset STAFF_TWO_FACTOR (it defaults to on in production mode).",
                id="core.W001",
            )
        ]
    return []
