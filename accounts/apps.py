from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The customer's own pages beside Oscar's account (orders, addresses): their health-fund
    enquiries and video calls, including what they made as a guest, shown once the account's
    e-mail address is proven theirs. Above the departments (it reads each one's selectors),
    beside sitewide."""

    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self):
        # emails: declares what an account owes (the outbox); receivers: orders attributed to
        # the call whose recommendation was put in the basket.
        from accounts import emails, receivers  # noqa: F401

        receivers.connect()
