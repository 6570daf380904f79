"""schema.org JSON-LD for search engines, safe inside a <script> element."""

import json

from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The same escapes as Django's json_script: nothing in the data can close the <script>.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict):
    # Compact: a product with sizes describes every variant's offer (shop/structured_data.py).
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = compact.translate(_JSON_SCRIPT_ESCAPES)
    # <, > and & are escaped above, as json_script does: nothing can close the <script>.
    safe_payload = mark_safe(payload)  # noqa: S308  # nosec B308 B703
    return format_html('<script type="application/ld+json">{}</script>', safe_payload)
