from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Everything Oscar: forks of Oscar's apps live in this package (shop/apps/), and the
    AUD/GST strategy, shipping, payment, product search and demo catalogue beside it. (Here,
    not in a shop/apps.py, which this package would hide.)"""

    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from shop import emails, pagecache, receivers  # noqa: F401  (emails: declares what an order owes)

        receivers.connect()
        pagecache.register()
