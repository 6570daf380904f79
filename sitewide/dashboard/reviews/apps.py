import oscar.apps.dashboard.reviews.apps as apps


class ReviewsDashboardConfig(apps.ReviewsDashboardConfig):
    """Oscar's review moderation, forked for `forms.py`: a review waiting for moderation
    stays waiting when staff save it without choosing (shop/reviews.py: reviews from buyers).
    Here, not in shop/, because Oscar finds a dashboard section's forks under the package of
    its forked dashboard (sitewide/dashboard/)."""

    name = "sitewide.dashboard.reviews"
