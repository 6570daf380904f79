"""Login throttling (django-axes) fitted to Oscar, and the visitor's address behind a proxy.

Every way of signing in with a password goes through Django's ``authenticate()`` with the
request: the customer login (/accounts/login/), the checkout's "I am a returning customer"
(/checkout/), the dashboard login (/dashboard/login/) and the admin's. Two limits, each within
``AXES_COOLOFF_TIME``:

* ``AXES_FAILURE_LIMIT`` wrong passwords for one account *from one address* lock that account
  for that address only. Counting the account alone would let anyone lock a named account
  (a member of staff during a sale) from anywhere; counted with the address, the right
  password from another address still signs in.
* ``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` wrong passwords from one address, for any accounts,
  lock that address out of every account (one address trying many accounts).

A locked attempt is refused even with the right password, and the visitor gets a page that
says so and when to try again (429). Guessing one account from many addresses is left to the
password rules (12 characters or more) and, for staff, the second factor.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' backend, except for ``authenticate()`` calls without a request.

    Oscar signs a customer in right after registration with ``authenticate(username=...,
    password=...)`` and no request (oscar.apps.customer.mixins.RegisterUserMixin), with the
    password the customer has just chosen: nothing is being guessed there, and Axes would
    raise (a 500). Django's test client's ``login()`` is the other such caller. Every login
    form passes the request, so each of them is throttled.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for the address alone.

    Axes compares every lockout parameter (``AXES_LOCKOUT_PARAMETERS``: the account and
    address together, then the address) with one limit. The failures reported here are the
    pair's, or the full limit once the address alone has reached its own, higher limit."""

    def get_failures(self, request, credentials=None) -> int:
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair


def login_name(request, credentials) -> str:
    """The account an attempt is counted against: the e-mail address as the customer would
    mean it, so that "Anna@Example.com " and "anna@example.com" share one count."""
    if credentials:
        name = credentials.get("username") or credentials.get("email") or ""
    else:  # Axes asks again when it builds the lockout page, from the posted form
        name = request.POST.get("username") or request.POST.get("login-username") or ""
    return str(name).strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    """The page after too many wrong passwords: what happened, when to try again, and the
    way out that needs no password (a reset link). 429, with Retry-After."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(
        request,
        "staff_auth/login_locked.html",
        {
            "minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "password_reset_url": reverse("password-reset"),
        },
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def log_label(username, ip_address, user_agent, path_info, request) -> str:
    """How Axes names an attempt in its log lines: the login page only, never the e-mail
    address or the visitor's address."""
    return f"{{path_info: {path_info!r}}}"
