import oscar.apps.analytics.apps as apps


class AnalyticsConfig(apps.AnalyticsConfig):
    """Oscar's analytics, forked for `receivers.py`: a product page view is counted in Redis,
    not written to the database on the request (see that module for why)."""

    name = "shop.apps.analytics"

    def ready(self):
        # Oscar's ready() imports oscar.apps.analytics.receivers (relative to its own module);
        # ours imports those and then replaces the product-view receiver.
        from shop.apps.analytics import receivers  # noqa: F401
