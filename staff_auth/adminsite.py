"""The Django admin, for superusers only.

Staff work in the dashboard (/dashboard/), where each role reaches only its own part and the
views decide what a role may see of a record (an expert sees only their own calls). The admin
has no such rules: it opens every row of every model a user holds a permission for, so a role's
model permissions, which the dashboard needs, would open other people's records there. Hence
the admin asks for a superuser, whatever permissions a staff account holds, and its login form
sends other staff to the dashboard's.
"""

from functools import wraps

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
from django.urls import reverse


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "superuser_only": (
            "This sign-in is for the site's administrators. Staff sign in to the dashboard "
            "at /dashboard/login/."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise forms.ValidationError(
                self.error_messages["superuser_only"], code="superuser_only"
            )


class SuperuserAdminSite(admin.AdminSite):
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        """Signed-in staff who are not superusers get 403 on every admin page (Django would
        send them to the admin's login form, which they cannot use either); anonymous
        visitors still go to the login form, and anyone may sign out."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def superusers_only(request, *args, **kwargs):
            refused = request.user.is_authenticated and not self.has_permission(request)
            if refused and request.path != reverse("admin:logout", current_app=self.name):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return superusers_only
