from django import template

from shop.reviews import fit_summary

register = template.Library()


@register.simple_tag
def fit_for(product):
    """How buyers' approved reviews say `product` fits (shop/reviews.py), or None:
    `{% fit_for product as fit %}` beside the size finder."""
    return fit_summary(product)
