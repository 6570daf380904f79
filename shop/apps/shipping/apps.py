import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    """Oscar's shipping app, forked for: Standard and Express delivery with GST (repository.py,
    methods.py).

    Its models are Oscar's unchanged, so their migrations stay Oscar's (MIGRATION_MODULES)."""

    name = "shop.apps.shipping"
