"""The stock shop with the Whoosh backend of Oscar's sandbox instead of the quick-start's simple
one: the simple backend lists no products on the catalogue and category pages (django-oscar
issue 4366), so the listing pages are measured here. The index is made by
`manage.py update_index` (the benchmark keeps it under var/bench/)."""

import os

from .settings import *  # noqa: F403
from .settings import BASE_DIR

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": os.environ.get("STOCK_WHOOSH_PATH", str(BASE_DIR / "whoosh_index")),
    },
}
