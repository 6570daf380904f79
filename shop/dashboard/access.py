"""Who works exchanges and returns in the dashboard: the shop manager (changing orders), and
the superuser. Used by its views and, as Oscar's `access_fn`, by the dashboard navigation."""


def can_work_returns(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    return user.is_active and user.is_staff and user.has_perm("order.change_order")
