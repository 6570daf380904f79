"""Whole public pages (and feeds) cached for anonymous visitors, correct at every moment.

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

This module is the mechanism only. What is cached, its holes and its expiries are registered
by the departments that own them: shop/pagecache.py (catalogue, search, the merchant feed,
the mini-basket and recently-viewed holes, counting a product view on a hit), blog/pagecache.py
(the blog, the scheduled-article expiry) and sitewide (the home page).
"""

import hashlib
import logging
import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from core import clock

logger = logging.getLogger(__name__)

# What the departments register (each in its AppConfig.ready, from its own pagecache.py):
# the views whose pages are cached, the holes cut from them, what must happen on a hit, and
# what makes pages expire sooner than PAGE_CACHE_SECONDS. The mechanism knows none of them.
CACHED_VIEWS: set[str] = set()
HOLES: dict = {}
_on_hit: list = []
_expiries: list = []


def cache_views(*view_names: str) -> None:
    """Pages of these views (URL names) are cached for anonymous visitors."""
    CACHED_VIEWS.update(view_names)


def register_hole(name: str, fill) -> None:
    """``fill(request, entry) -> str``: the visitor's own HTML for the spot marked
    ``<!--pagehole:name-->...<!--/pagehole-->`` in a template."""
    HOLES[name] = fill


def on_hit(hook) -> None:
    """``hook(request, response, entry)`` for every page served from the cache: what the view
    would have done besides rendering (count a product view). ``entry["context"]`` holds
    what the view put in ``request.page_cache_context`` when the page was stored."""
    _on_hit.append(hook)


def register_expiry(seconds_left) -> None:
    """``seconds_left(now) -> int | None``: how long until a page may be wrong with no row
    changing (a scheduled article's time comes); pages are kept no longer than the least."""
    _expiries.append(seconds_left)


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
    """Seconds a page may be kept: PAGE_CACHE_SECONDS, or less if a registered expiry says
    so (a scheduled article goes public sooner: the blog's, blog/pagecache.py)."""
    now = clock.now()
    seconds = settings.PAGE_CACHE_SECONDS
    for seconds_left in _expiries:
        left = seconds_left(now)
        if left is not None:
            seconds = min(seconds, left)
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


# What a cached view may answer: HTML pages, cut into text and holes, and feeds for machines
# (the merchant feed), kept whole: they have no forms, nonces or visitor's spots, and product
# text in them is not HTML-escaped, so a quote in it must not be taken for a token.
_HTML = "text/html"
_WHOLE = ("application/rss+xml", "application/xml", "text/xml")


def _media_type(response) -> str:
    return response.get("Content-Type", "").split(";")[0].strip().lower()


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if _media_type(response) not in (_HTML, *_WHOLE):
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
        for hook in _on_hit:
            hook(request, response, entry)
        return response

    def _store(self, request, response, key):
        timeout = _expires_in()
        if timeout <= 0:
            return
        content = response.content.decode(response.charset)
        entry = {
            "parts": _cut(content) if _media_type(response) == _HTML else [content],
            "content_type": response["Content-Type"],
            "context": getattr(request, "page_cache_context", {}),
        }
        pages_cache().set(key, entry, timeout)
        response["X-Page-Cache"] = "miss"
