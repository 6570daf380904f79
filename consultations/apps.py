from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    """Video consultations with product experts and the Celery queue that allocates them."""

    name = "consultations"
    verbose_name = "Video consultations"
