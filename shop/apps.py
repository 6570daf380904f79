from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Everything Oscar: forks of Oscar's apps live in shop/apps/, and the AUD/GST strategy,
    shipping, payment and demo catalogue beside them."""

    name = "shop"
    verbose_name = "Shop"
