from django.db import transaction
from oscar.apps.order.abstract_models import AbstractOrder


class Order(AbstractOrder):
    """Oscar's order, with a status change and what it sets off (the `order_status_changed`
    receivers: the tax invoice of a paid order, receipts/receivers.py) in one transaction: an
    order is never marked paid without its invoice, nor an invoice numbered for an order whose
    change failed. Same fields as Oscar's: its migrations stay Oscar's."""

    def set_status(self, new_status):
        with transaction.atomic():
            super().set_status(new_status)

    set_status.alters_data = True


from oscar.apps.order.models import *  # noqa: E402, F403
