from oscar.apps.shipping import repository

from .methods import Express, Standard


class Repository(repository.Repository):
    """Standard (free above SHIPPING_FREE_THRESHOLD) first, so the basket estimates with it."""

    methods = (Standard(), Express())
