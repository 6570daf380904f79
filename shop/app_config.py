from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Everything Oscar: forks of Oscar's apps live in shop/apps/, and the AUD/GST strategy,
    shipping, payment, product search and demo catalogue beside it.

    This file is where a shop/apps.py would be in any other app: that name is taken by the
    package of Oscar forks, so INSTALLED_APPS names this config ("shop.app_config.ShopConfig")."""

    name = "shop"
    verbose_name = "Shop"

    def dashboard_menu(self) -> dict:
        """Exchanges and returns in the dashboard's navigation (sitewide gathers them)."""
        from shop.dashboard.access import can_work_returns

        return {
            "label": "Returns",
            "icon": "fas fa-exchange-alt",
            "children": [
                {
                    "label": "Exchanges and returns",
                    "url_name": "shop-dashboard:return-list",
                    "access_fn": can_work_returns,
                }
            ],
        }

    def ready(self):
        # emails: declares what an order owes (the outbox); pagecache: its cached pages.
        from shop import emails, pagecache, receivers  # noqa: F401

        receivers.connect()
        pagecache.register()
