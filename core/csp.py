"""The Content-Security-Policy header (django-csp), with the staff dashboard's own policy.

Every page gets ``CONTENT_SECURITY_POLICY``: scripts only from our origin or inline with the
request's nonce (``{{ request.csp_nonce }}``, see templates/oscar/base.html). Dashboard pages
shown to signed-in staff get ``CONTENT_SECURITY_POLICY_DASHBOARD`` instead, which also lets
Oscar's own dashboard templates keep their few inline event handlers (settings.py says which
and why). The dashboard's login page, open to anyone, keeps the strict policy.
"""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy, default_config
from django.conf import settings

DASHBOARD_PREFIX = "/dashboard/"
# Stands for the nonce in a policy built once and reused (see SiteCSPMiddleware).
_NONCE_MARK = "csp-nonce-placeholder"
_VIEW_POLICY_ATTRIBUTES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the header built once per policy and process, not on
    every response: django-csp rebuilds the policy string from the settings for each response
    (a third of a millisecond, a fifth of the cost of serving a cached page). Only the nonce
    differs between responses, so the built policy keeps a mark where the nonce goes. A view
    with its own policy (@csp_update, @csp_exempt...), a report-only policy and excluded URL
    prefixes (this site has neither) take django-csp's own path."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: dict = {}
        self._built_from = None

    def process_response(self, request, response):
        if (
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES")
            or any(getattr(response, name, None) is not None for name in _VIEW_POLICY_ATTRIBUTES)
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp does
        nonce = getattr(request, "_csp_nonce", None)
        if HEADER not in response:
            policy = self._policy(dashboard=_is_dashboard(request), with_nonce=nonce is not None)
            if policy:
                response[HEADER] = policy.replace(_NONCE_MARK, nonce) if nonce else policy
        if nonce is None:  # as django-csp: a nonce asked for after this point is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policy(self, *, dashboard: bool, with_nonce: bool) -> str:
        site, dashboard_policy = (
            settings.CONTENT_SECURITY_POLICY,
            settings.CONTENT_SECURITY_POLICY_DASHBOARD,
        )
        built_from = self._built_from
        if built_from is None or built_from[0] is not site or built_from[1] is not dashboard_policy:
            self._built, self._built_from = {}, (site, dashboard_policy)  # settings changed
        key = (dashboard, with_nonce)
        if key not in self._built:
            config = (
                default_config(settings.CONTENT_SECURITY_POLICY_DASHBOARD["DIRECTIVES"])
                if dashboard
                else None
            )
            nonce = _NONCE_MARK if with_nonce else None
            self._built[key] = build_policy(config=config, nonce=nonce)
        return self._built[key]

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        # A view's own @csp_replace/@csp_update still applies on top (parts.update/replace).
        if not report_only and parts.config is None and _is_dashboard(request):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_DASHBOARD["DIRECTIVES"])
        return parts


def _is_dashboard(request) -> bool:
    if not request.path_info.startswith(DASHBOARD_PREFIX):
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_staff)
