"""Who may open the health-fund part of the dashboard (used by its views and, as Oscar's
`access_fn`, by the dashboard navigation, which then hides it from everyone else)."""

PERMISSION = "insurance.handle_enquiry"


def can_handle_enquiries(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PERMISSION)


def can_edit_coverage(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    return can_handle_enquiries(user) and user.has_perm("insurance.change_coveragerule")
