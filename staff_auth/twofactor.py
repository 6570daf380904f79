"""A second factor for staff: a code from an authenticator app (TOTP, django-otp).

With ``STAFF_TWO_FACTOR`` on (the default in production mode), a staff account that has signed
in with its password opens nothing under /dashboard/ or /admin/ until this session has also
been confirmed with a code: ``StaffSecondFactorMiddleware`` sends it to

* ``/dashboard/two-factor/setup/`` the first time: a QR code (and the key, for typing) to add
  the account to an authenticator app, confirmed by the first code the app shows; then ten
  single-use backup codes for the day the phone is lost;
* ``/dashboard/two-factor/`` every time after: the 6-digit code, or a backup code.

A staff member who has set up an app is asked for it even where the setting is off (a
development machine): an account its owner protected stays protected. Wrong codes are slowed
down by django-otp's throttling (each wrong code doubles the wait: 1 s, 2 s, 4 s...), a code
is accepted once only, and the session key changes once the code is accepted, as it does at
the password step. A superuser resets a lost phone with ``manage.py reset_two_factor EMAIL``
(or deletes the devices in the admin); the staff member then sets up the new phone.
"""

import logging
import re
from base64 import b32encode
from urllib.parse import quote, urlencode

import django_otp.middleware
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import clock

logger = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
# Pages a staff member reaches before the second step: the password step, the second step
# itself, and the way out.
_OPEN_TO_UNCONFIRMED = (
    "/dashboard/login/",
    "/dashboard/logout/",
    "/dashboard/two-factor/",
    "/admin/login/",
    "/admin/logout/",
)
_GUARDED = ("/dashboard/", "/admin/")


def second_step(user) -> str | None:
    """The page (URL name) this signed-in user must pass before staff pages open, or None:
    the code, once an app is set up; the set-up, where the setting requires one."""
    if not (user.is_authenticated and user.is_staff) or user.is_verified():
        return None
    if has_authenticator(user):
        return "two-factor-verify"
    return "two-factor-setup" if settings.STAFF_TWO_FACTOR else None


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def _next_url(request, default: str = "") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse("dashboard:index")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``, ``request.user.otp_device``)
    for requests of a signed-in session only: an anonymous visitor has nothing to verify,
    and wrapping their user in one more lazy object cost every public page a fifth of a
    millisecond. Anonymous users have no ``is_verified``: ask ``is_authenticated`` first."""

    def _install_lazy_accessors(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
            super()._install_lazy_accessors(request)


class StaffSecondFactorMiddleware:
    """Staff pages open only to a session confirmed with a code (see the module's docstring).
    Installed after ``OTPMiddleware`` (above), which tells whether it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(_GUARDED) and not path.startswith(_OPEN_TO_UNCONFIRMED):
            step = second_step(request.user)
            if step:
                return redirect(_with_next(step, request.get_full_path()))
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the code."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        # People type "123 456", "123-456" or a backup code in capitals.
        return re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()


class _StaffStep(View):
    """A page of the second step: signed-in staff only (anyone else signs in first, or is
    refused, as on every dashboard page)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(_with_next("dashboard:login", request.get_full_path()))
        if not request.user.is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _confirmed(self, request, device):
        """The session is now confirmed by ``device``: record it and change the session key,
        so that a key seen before this moment is worth nothing."""
        otp_login(request, device)
        request.session.cycle_key()
        logger.info("Staff user %s confirmed a second factor (%s)", request.user.pk, device)


class VerifyView(_StaffStep):
    """The code asked for at every sign-in of an account with an authenticator app."""

    template_name = "staff_auth/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next_url(request))
        if not has_authenticator(request.user):
            return redirect(_with_next("two-factor-setup", _next_url(request)))
        return self._render(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        code = form.cleaned_data["code"]
        # Six digits come from the app; anything else can only be a backup code.
        model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
        devices = list(model.objects.devices_for_user(request.user, confirmed=True))
        wait = _seconds_to_wait(devices)
        if wait:
            form.add_error("code", _wait_message(wait))
            return self._render(request, form, status=429)
        for device in devices:
            if verify_token(request.user, device.persistent_id, code):
                self._confirmed(request, device)
                if isinstance(device, StaticDevice):
                    left = StaticToken.objects.filter(device=device).count()
                    messages.warning(
                        request,
                        f"You signed in with a backup code; {left} left. If your phone is "
                        "lost, set up the new one from “Two-factor sign-in”.",
                    )
                return redirect(_next_url(request))
        form.add_error(
            "code",
            "That code is not right. Enter the 6 digits your authenticator app shows now "
            f"for {settings.OSCAR_SHOP_NAME}, or one of your backup codes.",
        )
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        context = {"form": form, "next": _next_url(request)}
        return render(request, self.template_name, context, status=status)


def _seconds_to_wait(devices) -> int:
    """The wait django-otp's throttling imposes on the device a code would be checked
    against (0 if none): each wrong code doubles it."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return 0
        locked_until = (info or {}).get("locked_until")
        if locked_until is not None:
            waits.append(max(1, round((locked_until - clock.now()).total_seconds())))
    return min(waits) if waits else 0


def _wait_message(seconds: int) -> str:
    plural = "s" if seconds != 1 else ""
    return (
        f"Too many wrong codes: wait {seconds} second{plural}, then enter the code your app "
        "shows at that moment."
    )


class SetupView(_StaffStep):
    """Adding the account to an authenticator app: scan (or type) the key, then confirm it
    with the first code the app shows. Also how a confirmed session moves to a new phone:
    the old app stops working once the new one is confirmed."""

    template_name = "staff_auth/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        staff = user.is_authenticated and user.is_staff
        if staff and not user.is_verified() and has_authenticator(user):
            # Replacing the app needs the old one (or a backup code) first.
            return redirect(_with_next("two-factor-verify", request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, self._pending_device(request.user), CodeForm())

    def post(self, request):
        device = self._pending_device(request.user)
        form = CodeForm(request.POST)
        if form.is_valid():
            wait = _seconds_to_wait([device])
            if wait:
                form.add_error("code", _wait_message(wait))
                return self._render(request, device, form, status=429)
            with transaction.atomic():
                if device.verify_token(form.cleaned_data["code"]):
                    self._confirm(request, device)
                    return redirect(_with_next("two-factor-backup-codes", _next_url(request)))
            form.add_error(
                "code",
                "That code is not right. Check that the app shows "
                f"“{settings.OSCAR_SHOP_NAME}” with your e-mail address and enter the 6 digits "
                "it shows now (a new code every 30 seconds).",
            )
        return self._render(request, device, form, status=400)

    @staticmethod
    def _pending_device(user) -> TOTPDevice:
        """The key being set up: the same one on every visit until it is confirmed, so that a
        reload does not invalidate what the staff member has already scanned."""
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        return device or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )

    def _confirm(self, request, device):
        user = request.user
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        make_backup_codes(user)
        self._confirmed(request, device)

    def _render(self, request, device, form, status=200):
        # segno writes the SVG itself from our own otpauth URL (a key, the shop's name and
        # the staff member's e-mail address, which it encodes as modules, never as markup).
        svg = segno.make(provisioning_url(device), error="m").svg_inline(
            scale=5, dark="#000", light="#fff", title="QR code: add to your app"
        )
        context = {
            "form": form,
            "next": _next_url(request),
            "qr_svg": mark_safe(svg),  # noqa: S308  # nosec B308 B703
            "key_groups": _groups(b32encode(device.bin_key).decode().rstrip("=")),
            "replacing": has_authenticator(request.user),
        }
        return render(request, self.template_name, context, status=status)


class BackupCodesView(_StaffStep):
    """The backup codes left, and a button for a new set (the old ones stop working)."""

    template_name = "staff_auth/two_factor_backup_codes.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_verified():
            return redirect(_with_next("two-factor-verify", request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        codes = StaticToken.objects.filter(device__user=request.user).order_by("pk")
        context = {"codes": [_groups(t.token, 4) for t in codes], "next": _next_url(request)}
        return render(request, self.template_name, context)

    def post(self, request):
        make_backup_codes(request.user)
        messages.success(request, "New backup codes made: the old ones no longer work.")
        return redirect(_with_next("two-factor-backup-codes", _next_url(request)))


def make_backup_codes(user) -> list[str]:
    """A new set of single-use codes for ``user``, replacing any earlier set."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def provisioning_url(device: TOTPDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code: the shop's name
    and the staff member's e-mail address, so the app's entry says whose code it is."""
    issuer = settings.OSCAR_SHOP_NAME.replace(":", "")
    account = device.user.email or device.user.get_username()
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?{params}"


def _groups(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def reset(user) -> int:
    """Forget the authenticator app and backup codes of ``user`` (a lost phone); returns how
    many devices went. Their next visit to a staff page starts the set-up again."""
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        backups = StaticDevice.objects.filter(user=user).delete()[1]
    return apps + backups.get(StaticDevice._meta.label, 0)
