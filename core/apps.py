from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Site-wide pieces that belong to no single department: the home page, /healthz,
    the worker heartbeat, the page cache and the `load_demo` command that asks each app for
    its demo data."""

    default = True
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core import checks  # noqa: F401  (registers the project's system checks)
        from core.pagecache_triggers import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="page-triggers")


class SuperuserAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site that only superusers open (core/adminsite.py)."""

    default = False  # named in INSTALLED_APPS; CoreConfig is the app "core"
    default_site = "core.adminsite.SuperuserAdminSite"
