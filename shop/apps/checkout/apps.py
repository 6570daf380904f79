import oscar.apps.checkout.apps as apps


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout app, forked for Australian address forms, the payment step (bank
    transfer, and card when Stripe is configured) and order e-mails queued to the worker."""

    name = "shop.apps.checkout"
