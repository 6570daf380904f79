"""Article bodies: Markdown to safe HTML, with live product cards and links to site pages.

Authors write Markdown. Two additions, so that no article hard-codes HTML or a URL:

* ``[[product:UPC]]`` (or ``[[product:UPC|name to show]]``) on a line of its own becomes a card
  with the product's image, name, price including GST and stock, read live from the catalogue.
  A product that is missing or not for sale becomes a plain link instead (to the product page,
  or to a search for its name), never a broken page.
* ``[text](url:insurance:enquiry)`` links to the page with that URL name, and
  ``[text](article:slug)`` to another article; while the page does not exist (a later part of
  the site, an article not yet published), the text is shown without a link.

The HTML that Markdown produces is cleaned by nh3 before the cards are put in: a ``<script>``,
an ``onerror=`` or a ``javascript:`` link in a body never reaches the page.
"""

import re
import secrets
from dataclasses import dataclass

import markdown
import nh3
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from blog.models import Article
from shop.selectors import product_cards

# Browsers send a textarea's lines ending in CRLF, so a block's line may end in "\r".
PRODUCT_BLOCK = re.compile(r"^\[\[product:([\w-]+)(?:\|([^\]\r\n]*))?\]\][ \t\r]*$", re.MULTILINE)
SITE_LINK = re.compile(r"\[([^\]\n]+)\]\((url|article):([\w-]+(?::[\w-]+)?)\)")

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "figcaption", "figure", "h2", "h3", "h4",
    "hr", "img", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class ProductBlock:
    upc: str
    fallback_name: str


def product_blocks(body: str) -> list[ProductBlock]:
    return [ProductBlock(upc, name.strip()) for upc, name in PRODUCT_BLOCK.findall(body)]


def linked_article_slugs(body: str) -> list[str]:
    return [target for _, kind, target in SITE_LINK.findall(body) if kind == "article"]


def render_body(body: str, request) -> str:
    """The article body as safe HTML, with its product cards rendered for this request."""
    nonce = secrets.token_hex(8)  # a placeholder an author cannot type by chance
    blocks = product_blocks(body)
    counter = iter(range(len(blocks)))
    source = PRODUCT_BLOCK.sub(lambda m: f"\n\nproductcard{nonce}x{next(counter)}\n\n", body)
    source = SITE_LINK.sub(_site_link, source)
    html = markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )
    cards = _cards(blocks, request)
    for index, card in enumerate(cards):
        html = html.replace(f"<p>productcard{nonce}x{index}</p>", card, 1)
    return html


def _site_link(match) -> str:
    text, kind, target = match.groups()
    if kind == "article":
        article = Article.objects.published().filter(slug=target).first()
        return f"[{text}]({article.get_absolute_url()})" if article else text
    try:
        return f"[{text}]({reverse(target)})"
    except NoReverseMatch:
        return text


def _cards(blocks, request) -> list[str]:
    if not blocks:
        return []
    by_upc = {p.upc: p for p in product_cards().filter(upc__in=[b.upc for b in blocks])}
    cards = []
    for block in blocks:
        product = by_upc.get(block.upc)
        info = purchase_info(request.strategy, product) if product else None
        if product and info.price.exists:
            cards.append(
                render_to_string(
                    "blog/partials/product_card.html",
                    {"product": product, "info": info, "request": request},
                )
            )
        else:
            cards.append(_plain_link(block, product))
    return cards


def purchase_info(strategy, product):
    if product.is_parent:
        return strategy.fetch_for_parent(product)
    return strategy.fetch_for_product(product)


def _plain_link(block, product) -> str:
    name = block.fallback_name or (product.get_title() if product else block.upc)
    url = product.get_absolute_url() if product else f"{reverse('search:search')}?q={name}"
    return format_html('<p class="article-product-link"><a href="{}">{}</a></p>', url, name)
