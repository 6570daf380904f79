from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces that belong to no single department: the home page, /healthz,
    the worker heartbeat and the `load_demo` command that asks each app for its demo data."""

    name = "core"
    verbose_name = "Site"
