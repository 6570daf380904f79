import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    """Oscar's basket app, forked for: the basket page refuses tampered or impossible quantities
    with a message (views.py, forms.py, formsets.py).

    Its models are Oscar's unchanged, so their migrations stay Oscar's (MIGRATION_MODULES)."""

    name = "shop.apps.basket"
