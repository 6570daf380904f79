"""The Content-Security-Policy header (django-csp), with the staff dashboard's own policy.

Every page gets ``CONTENT_SECURITY_POLICY``: scripts only from our origin or inline with the
request's nonce (``{{ request.csp_nonce }}``, see templates/oscar/base.html). Dashboard pages
shown to signed-in staff get ``CONTENT_SECURITY_POLICY_DASHBOARD`` instead, which also lets
Oscar's own dashboard templates keep their few inline event handlers (settings.py says which
and why). The dashboard's login page, open to anyone, keeps the strict policy.
"""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings

DASHBOARD_PREFIX = "/dashboard/"


class SiteCSPMiddleware(CSPMiddleware):
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
