import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    """Oscar's order app, forked for: placing an order locks the stock it takes, so the last
    unit is sold once (utils.py).

    Its models are Oscar's unchanged, so their migrations stay Oscar's (MIGRATION_MODULES)."""

    name = "shop.apps.order"
