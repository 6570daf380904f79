from django.apps import AppConfig, apps
from django.conf import settings


class SitewideConfig(AppConfig):
    """Pages that span the departments, above them: the home page, robots.txt, the sitemap,
    and the dashboard (its front page's figures, its navigation gathered from each
    department's AppConfig.dashboard_menu()). Departments never import this app."""

    name = "sitewide"
    verbose_name = "Site-wide pages"

    def ready(self):
        from core import pagecache

        pagecache.cache_views("home")
        menus = [
            config.dashboard_menu()
            for config in apps.get_app_configs()
            if hasattr(config, "dashboard_menu")
        ]
        known = {menu["label"] for menu in settings.OSCAR_DASHBOARD_NAVIGATION}
        settings.OSCAR_DASHBOARD_NAVIGATION = [
            *settings.OSCAR_DASHBOARD_NAVIGATION,
            *(menu for menu in menus if menu["label"] not in known),
        ]
