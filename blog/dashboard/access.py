"""Who may write articles in the dashboard (used by its views and, as Oscar's `access_fn`, by
the dashboard navigation, which then hides the section from everyone else)."""

PERMISSION = "blog.change_article"


def can_edit_articles(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PERMISSION)
