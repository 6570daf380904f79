import oscar.apps.dashboard.apps as apps


class DashboardConfig(apps.DashboardConfig):
    """Oscar's dashboard, forked for `views.py`: a front page with each role's own figures.
    It spans the departments, so it lives here, above them, not in the shop."""

    name = "sitewide.dashboard"
