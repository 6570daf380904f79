"""The pages the side-by-side benchmark measures, and how a visitor arrives at each request: the
pages fetched first for a cookie or a form, the form filled in. Shared by bench/probe.py
(Django's test client, inside each project) and bench/side_by_side.py (`requests` against the
running server), so the queries are counted on the very requests that are then loaded.
"""

import re
from dataclasses import dataclass

import htmlforms
from generate_catalogue import SEARCH_WORD

OURS, STOCK, WHOOSH = "ours", "stock", "whoosh"
ARTICLE = "/blog/causes-of-back-spasms-and-cramps/"
PRODUCT_LINK = re.compile(r'href="(/catalogue/[\w-]+_\d+/)"')


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    # Which servers answer it: listings on stock Oscar come from the Whoosh variant, since the
    # quick-start's simple backend lists no products there (django-oscar issue 4366).
    servers: tuple
    listing: bool = False


PAGES = [
    Page("home", "home", (OURS, STOCK)),
    Page("catalogue", "catalogue list", (OURS, WHOOSH), listing=True),
    Page("category", "category (Back and spine)", (OURS, WHOOSH), listing=True),
    Page("product", "product, no cookie", (OURS, STOCK)),
    Page("product-basket", "product, basket cookie", (OURS, STOCK)),
    Page("lumbotrain", "LumboTrain (variants)", (OURS,)),
    Page("search", f"search '{SEARCH_WORD}'", (OURS, WHOOSH), listing=True),
    Page("article", "article", (OURS,)),
    Page("basket", "basket, one item", (OURS, STOCK)),
    Page("add", "add to basket (POST)", (OURS, STOCK)),
    Page("enquiry", "enquiry (POST)", (OURS,)),
    Page("booking", "booking (POST)", (OURS,)),
]
BY_KEY = {page.key: page for page in PAGES}


@dataclass
class Request:
    method: str
    path: str
    content_type: str = ""
    body: bytes = b""


class Visitor:
    """One browser: `get` and `post` return (status, text) and keep the cookies they are given.
    Subclassed for the test client and for `requests`."""

    def get(self, path: str) -> tuple[int, str]:
        raise NotImplementedError

    def post(self, path: str, content_type: str, body: bytes) -> tuple[int, str]:
        raise NotImplementedError


def _form_post(visitor, page_path, **form) -> Request:
    status, html = visitor.get(page_path)
    if status != 200:
        raise LookupError(f"GET {page_path} answered {status}")
    sent = htmlforms.submission(page_path, html, **form)
    return Request("POST", sent.path, sent.content_type, sent.body)


def add_to_basket(visitor, targets) -> Request:
    return _form_post(
        visitor,
        targets["product"],
        has_field="quantity",
        action=f"/basket/add/{targets['product_pk']}/",
    )


def prepare(key: str, targets: dict, visitor: Visitor) -> Request:
    """The request of page `key`, with `visitor` holding the cookies it needs."""
    if key in {"product-basket", "basket"}:
        add = add_to_basket(visitor, targets)
        status, _ = visitor.post(add.path, add.content_type, add.body)
        if status >= 400:
            raise LookupError(f"adding to the basket answered {status}")
        visitor.get("/basket/")  # where the add redirects: its message is shown, and gone
        return Request("GET", targets["product"] if key == "product-basket" else "/basket/")
    if key == "add":
        return add_to_basket(visitor, targets)
    if key == "enquiry":
        return _form_post(
            visitor,
            f"/insurance/enquiry/?product={targets['product_pk']}",
            has_field="consent",
            overrides=htmlforms.ENQUIRY_VALUES,
        )
    if key == "booking":
        return _form_post(
            visitor,
            f"/consultations/book/?product={targets['product_pk']}",
            has_field="consent",
            overrides=htmlforms.BOOKING_VALUES,
        )
    paths = {
        "home": "/",
        "catalogue": "/catalogue/",
        "category": targets.get("category"),
        "product": targets.get("product"),
        "lumbotrain": targets.get("lumbotrain"),
        "search": f"/search/?q={SEARCH_WORD}",
        "article": ARTICLE,
    }
    if not paths[key]:
        raise LookupError(f"no {key} page in this catalogue")
    return Request("GET", paths[key])


def products_shown(html: str) -> int:
    """How many different products a listing links to."""
    return len(set(PRODUCT_LINK.findall(html)))
