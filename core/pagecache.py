"""Whole public pages cached for anonymous visitors, correct at every moment.

The home page, catalogue, categories, product pages, search results and the blog are the
same for every anonymous visitor but for a few spots: the mini-basket, the products they
recently viewed, the CSRF token in each form and the CSP nonce. A page is rendered once,
stored with those spots cut out ("holes"), and each visitor gets the stored page with their
own spots filled in, which costs no template rendering and, for a visitor without a basket,
one SQL query.

Correctness:
- A change to anything the pages show is visible at once, in every process: pages are stored
  under the current `PageGeneration`, which database triggers bump in the same transaction as
  the change (core/pagecache_triggers.py), so a page can never be served from a generation
  older than the data. Pages wait no longer than the next scheduled article's time either.
- A visitor's basket, history, messages or account are never shown to another: requests of
  signed-in customers and staff, and of anyone a message or a refused form waits for (in the
  messages cookie or the session), are never served from or stored in the cache; a response
  that sets any cookie but the CSRF and history cookies, that carries a message, or that asks
  not to be cached is not stored; the holes are cut from every stored page whoever it was
  rendered for.
- Product views are still counted and the recently-viewed cookie still updated on a hit.
"""

import hashlib
import logging
import re
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.core.signing import BadSignature, Signer
from django.db import DatabaseError, connection
from django.db.models import Min
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from oscar.core.loading import get_model

logger = logging.getLogger(__name__)

CACHED_VIEWS = frozenset(
    {
        "home",
        "catalogue:index",
        "catalogue:category",
        "catalogue:detail",
        "search:search",
        "blog:index",
        "blog:category",
        "blog:article",
    }
)
HOLE_START = "<!--pagehole:{}-->"
HOLE_END = "<!--/pagehole-->"
_HOLES = re.compile(r"<!--pagehole:(?P<name>[\w-]+)-->.*?<!--/pagehole-->", re.S)
_TOKENS = re.compile(
    r'(?P<csrf>(?<=name="csrfmiddlewaretoken" value=")[^"]+)|(?P<nonce>(?<=nonce=")[^"]+)'
)
_CSRF, _NONCE = ("csrf",), ("nonce",)

# Cookies a cacheable page may set: the CSRF cookie and Oscar's recently-viewed history.
_PAGE_COOKIES = {settings.CSRF_COOKIE_NAME, settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME}
# What in a session changes the pages we cache: a signed-in user, messages waiting in it
# (Oscar's basket messages are too long for the cookie), a refused add to basket whose form
# the product page shows again. Anything else there (a checkout in progress, an enquiry's
# reference, a time zone) is shown on pages that are never cached.
_PERSONAL_SESSION_KEYS = (SESSION_KEY, SessionStorage.session_key, "add_to_basket_form_post_data_")


def _anonymous_session(request) -> bool:
    return not any(key.startswith(_PERSONAL_SESSION_KEYS) for key in request.session.keys())  # noqa: SIM118 (no __iter__)


def pages_cache():
    return caches["pages"]


def page_generation() -> int | None:
    """The current generation, or None when it cannot be read (then nothing is cached)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM core_pagegeneration WHERE id = 1")
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("Page generation unreadable: serving pages uncached", exc_info=True)
        return None
    return row[0] if row else 0


def current_generation(request) -> int | None:
    """The generation this request works under: read once per request."""
    if not hasattr(request, "page_generation"):
        request.page_generation = page_generation()
    return request.page_generation


_memos: dict = {}


def forget_everything() -> None:
    """Drop this process's pages and memos (tests: a new test database repeats generations)."""
    pages_cache().clear()
    _memos.clear()


def memo(request, name: str, build):
    """`build()`, computed once per process per generation: for pieces of pages shown on every
    page, like the category menu, that change only when the data behind them does."""
    generation = current_generation(request)
    if generation is None:
        return build()
    key = (generation, name)
    if key not in _memos:
        stale = [old for old in _memos if old[0] != generation]
        for old in stale:
            del _memos[old]
        _memos[key] = build()
    return _memos[key]


# --- holes: what differs between anonymous visitors --------------------------------------
_blank_holes: dict[str, str] = {}


def _mini_basket(request, entry) -> str:
    if settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES:
        return _own_mini_basket(request)
    if "mini_basket" not in _blank_holes:  # the empty basket's is the same for everyone
        _blank_holes["mini_basket"] = render_to_string(
            "oscar/partials/mini_basket.html", request=request
        )
    return _blank_holes["mini_basket"]


def _own_mini_basket(request) -> str:
    """A shopper's mini-basket, rendered once per state of their basket: loading a basket and
    applying the offers to it is most of the time a page takes (about 10 queries). The state
    is read in one query from the basket's own rows (lines: how many, their quantities, the
    latest change; vouchers) and the page generation, which also follows prices, stock and
    offers; it is kept no longer than until the next offer starts or ends."""
    render = partial(render_to_string, "oscar/partials/mini_basket.html", request=request)
    try:
        basket_id = Signer().unsign(request.COOKIES[settings.OSCAR_BASKET_COOKIE_OPEN])
    except BadSignature:
        return render()  # Oscar's middleware forgets the cookie
    state = _basket_state(basket_id)
    generation = current_generation(request)
    if state is None or generation is None:
        return render()
    key = "minibasket:" + hashlib.blake2b(repr((generation, state)).encode()).hexdigest()
    html = pages_cache().get(key)
    if html is None:
        html = render()
        if (timeout := _offers_unchanged_for()) > 0:
            pages_cache().set(key, html, timeout)
    return html


def _basket_state(basket_id) -> tuple | None:
    with connection.cursor() as cursor:
        open_ = get_model("basket", "Basket").OPEN
        cursor.execute(_BASKET_STATE, [basket_id, open_])
        row = cursor.fetchone()
    return (basket_id, *row) if row else None


_BASKET_STATE = """
SELECT (SELECT COUNT(*) FROM basket_line WHERE basket_id = b.id),
       (SELECT SUM(quantity) FROM basket_line WHERE basket_id = b.id),
       (SELECT MAX(date_updated) FROM basket_line WHERE basket_id = b.id),
       (SELECT MAX(id) FROM basket_line WHERE basket_id = b.id),
       (SELECT COUNT(*) FROM basket_basket_vouchers WHERE basket_id = b.id)
FROM basket_basket b WHERE b.id = %s AND b.owner_id IS NULL AND b.status = %s
"""


def _offers_unchanged_for() -> int:
    """Seconds until an offer starts or ends (its time passing changes basket totals, and no
    row changes), at most PAGE_CACHE_SECONDS."""
    offers = get_model("offer", "ConditionalOffer").objects
    now = timezone.now()
    moments = [
        offers.filter(start_datetime__gt=now).aggregate(Min("start_datetime"))[
            "start_datetime__min"
        ],
        offers.filter(end_datetime__gt=now).aggregate(Min("end_datetime"))["end_datetime__min"],
    ]
    seconds = settings.PAGE_CACHE_SECONDS
    for moment in filter(None, moments):
        seconds = min(seconds, int((moment - now) / timedelta(seconds=1)))
    return seconds


def _recently_viewed(request, entry) -> str:
    from oscar.templatetags.history_tags import recently_viewed_products

    if settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME not in request.COOKIES:
        if "recently_viewed" not in _blank_holes:
            _blank_holes["recently_viewed"] = _recently_viewed_html({"products": []})
        return _blank_holes["recently_viewed"]
    product_id = entry["product_id"]
    current = _product_stub(product_id) if product_id else None
    return _recently_viewed_html(
        recently_viewed_products({"request": request}, current_product=current)
    )


def _recently_viewed_html(context) -> str:
    """The template's own hole markers taken off (the stored page keeps its)."""
    html = render_to_string("oscar/customer/history/recently_viewed_products.html", context)
    start, end = HOLE_START.format("recently_viewed"), HOLE_END
    return html.rstrip("\n").removeprefix(start).removesuffix(end)


HOLES = {"mini_basket": _mini_basket, "recently_viewed": _recently_viewed}


def _product_stub(product_id):
    return get_model("catalogue", "Product")(pk=product_id)


# --- storing and serving -------------------------------------------------------------------
def _cut(content: str) -> list:
    """The page as literal text and holes: (name,) for each hole, _CSRF and _NONCE for the
    per-request tokens."""
    parts = []
    for piece_index, piece in enumerate(_HOLES.split(content)):
        # re.split with one group alternates text and the group (the hole's name)
        if piece_index % 2:
            parts += [HOLE_START.format(piece), (piece,), HOLE_END]
            continue
        last = 0
        for match in _TOKENS.finditer(piece):
            parts += [piece[last : match.start()], _CSRF if match["csrf"] else _NONCE]
            last = match.end()
        parts.append(piece[last:])
    return [part for part in parts if part != ""]


def _fill(entry, request) -> str:
    out = []
    token = None
    for part in entry["parts"]:
        if isinstance(part, str):
            out.append(part)
        elif part == _CSRF:
            token = token or get_token(request)  # one masked token, as one render makes
            out.append(token)
        elif part == _NONCE:
            out.append(str(getattr(request, "csp_nonce", "")))
        else:
            out.append(HOLES[part[0]](request, entry))
    return "".join(out)


def _expires_in() -> int:
    """Seconds a page may be kept: PAGE_CACHE_SECONDS, or less if a scheduled article goes
    public sooner (its time passing changes the blog and home pages, and no row changes)."""
    from blog.models import Article

    seconds = settings.PAGE_CACHE_SECONDS
    now = timezone.now()
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is not None:
        seconds = min(seconds, int((upcoming - now) / timedelta(seconds=1)))
    return seconds


def _key(request, generation: int) -> str | None:
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let the view answer it (a 400)
        return None
    digest = hashlib.blake2b(f"{host}{request.get_full_path()}".encode(), digest_size=16)
    return f"page:{generation}:{digest.hexdigest()}"


def _cacheable_request(request) -> bool:
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
        return False
    if CookieStorage.cookie_name in request.COOKIES:  # a message waits to be shown
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES and not _anonymous_session(request):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in CACHED_VIEWS


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-cache", "no-store")):
        return False
    if set(response.cookies) - _PAGE_COOKIES:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "_queued_messages", None):
        return False
    return not request.user.is_authenticated


class PageCacheMiddleware:
    """Last in MIDDLEWARE: every other middleware (sessions, CSRF, basket, security headers)
    still runs around a cached page exactly as around a rendered one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        generation = current_generation(request)
        key = _key(request, generation) if generation is not None else None
        if key is None:
            return self.get_response(request)
        entry = pages_cache().get(key)
        if entry is not None:
            return self._hit(request, entry)
        response = self.get_response(request)
        if _storable(request, response):
            self._store(request, response, key)
        return response

    def _hit(self, request, entry):
        response = HttpResponse(_fill(entry, request), content_type=entry["content_type"])
        patch_vary_headers(response, ["Cookie"])
        response["X-Page-Cache"] = "hit"
        if entry["product_id"]:
            product_viewed_again(entry["product_id"], request, response)
        return response

    def _store(self, request, response, key):
        timeout = _expires_in()
        if timeout <= 0:
            return
        entry = {
            "parts": _cut(response.content.decode(response.charset)),
            "content_type": response["Content-Type"],
            "product_id": getattr(request, "page_cache_product_id", None),
        }
        pages_cache().set(key, entry, timeout)
        response["X-Page-Cache"] = "miss"


def product_viewed_again(product_id: int, request, response) -> None:
    """What a product page view does besides rendering (shop/apps/analytics/receivers.py,
    Oscar's history receiver): count the view, add the product to the visitor's history."""
    from oscar.apps.customer.history import CustomerHistoryManager

    from shop.apps.analytics.receivers import view_count

    view_count(product_id)
    CustomerHistoryManager.update(_product_stub(product_id), request, response)
