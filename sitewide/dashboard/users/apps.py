import oscar.apps.dashboard.users.apps as apps


class UsersDashboardConfig(apps.UsersDashboardConfig):
    """Oscar's customers section, forked for `views.py`: the customer's page joins their
    orders with their video calls, the expert's recommendations and (for health-fund officers
    only) their enquiries. It spans the departments and the accounts, so it lives here."""

    name = "sitewide.dashboard.users"
