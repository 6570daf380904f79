from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    """Video consultations with product experts and the Celery queue that allocates them."""

    name = "consultations"
    verbose_name = "Video consultations"

    def dashboard_menu(self) -> dict:
        """This department's section of the dashboard's navigation (sitewide gathers them)."""
        from consultations.dashboard.access import can_use_consultations

        pages = [
            ("Today's board", "board"),
            ("Calendar", "calendar"),
            ("Hours and time off", "availability"),
        ]
        return {
            "label": "Consultations",
            "icon": "fas fa-video",
            "children": [
                {
                    "label": label,
                    "url_name": f"consultations-dashboard:{name}",
                    "access_fn": can_use_consultations,
                }
                for label, name in pages
            ],
        }

    def ready(self):
        from consultations import emails  # noqa: F401  (declares what a booking owes: the outbox)
