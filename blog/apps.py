from django.apps import AppConfig


class BlogConfig(AppConfig):
    """Articles that lead readers with back pain to the supports, fund check and video call."""

    name = "blog"
    verbose_name = "Blog"
