"""Forks of Oscar's apps (each names itself in INSTALLED_APPS). The shop's own AppConfig is
in shop/app_config.py: a shop/apps.py would be hidden by this package."""
