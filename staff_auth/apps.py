from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffAuthConfig(AppConfig):
    """How staff sign in: a second factor (twofactor.py, django-otp), login throttling
    (throttle.py, django-axes), an admin for superusers only (adminsite.py), and the
    `reset_two_factor` command for a member of staff who lost their phone."""

    default = True
    name = "staff_auth"
    verbose_name = "Staff sign-in"


class SuperuserAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site that only superusers open (staff_auth/adminsite.py)."""

    default = False  # named in INSTALLED_APPS; StaffAuthConfig is the app "staff_auth"
    default_site = "staff_auth.adminsite.SuperuserAdminSite"
