from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    """Private-health-insurance enquiries: "will my health fund cover this support?"."""

    name = "insurance"
    verbose_name = "Health-fund enquiries"

    def dashboard_menu(self) -> dict:
        """This department's section of the dashboard's navigation (sitewide gathers them)."""
        from insurance.dashboard.access import can_edit_coverage, can_handle_enquiries

        return {
            "label": "Health funds",
            "icon": "fas fa-notes-medical",
            "children": [
                {
                    "label": "Enquiries",
                    "url_name": "insurance-dashboard:enquiry-list",
                    "access_fn": can_handle_enquiries,
                },
                {
                    "label": "Coverage table",
                    "url_name": "insurance-dashboard:coverage-list",
                    "access_fn": can_edit_coverage,
                },
            ],
        }

    def ready(self):
        from insurance import emails  # noqa: F401  (declares what an enquiry owes: the outbox)
