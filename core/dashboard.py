"""What every part of the staff dashboard shares: who may open it."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.urls import reverse_lazy


class RoleRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """A dashboard page of one role's part. Anonymous visitors go to the dashboard's login;
    signed-in staff without the role get 403 (not a login page they could do nothing with).
    `role_check(user) -> bool` is the part's access function, the same one the dashboard
    navigation uses to hide the part from everyone else."""

    login_url = reverse_lazy("dashboard:login")
    role_check = None

    def test_func(self):
        return self.role_check(self.request.user)

    def handle_no_permission(self):
        self.raise_exception = self.request.user.is_authenticated
        return super().handle_no_permission()
