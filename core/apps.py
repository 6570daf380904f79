from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The foundation every department stands on and that imports none of them: the queue
    and the outbox, the clock, form helpers and limits, Australian addresses and phones,
    encryption, the dashboard role mixin, CSP, /healthz and the worker heartbeat, the page
    cache's mechanism, and the `load_demo` command that asks each app for its demo data."""

    default = True
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core import checks, funnel  # noqa: F401  (system checks; funnel's page-cache hook)
        from core.pagecache_triggers import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="page-triggers")
