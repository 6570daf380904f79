from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    """Oscar's basket, without reloading what a request has already loaded.

    An add to basket loads the basket's lines (with offers applied) in the basket middleware,
    adds the product, then applies the offers again to say which were gained or lost (Oscar's
    BasketMessageGenerator). Oscar forgets the loaded lines at each step and loads them again
    with their products, stock records and pictures; here the lines already loaded are kept
    (the changed one updated, a new one appended) and only their discounts are cleared, as a
    reload would leave them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._keep_lines_once = False

    def all_lines(self):
        """Oscar's, with each line's product class (stock tracking, shipping) in the same
        query: the totals asked for it line by line."""
        if self.id is not None and self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "product__product_class", "product__parent__product_class", "stockrecord"
                )
                .prefetch_related("attributes", "product__images")
                .order_by(self._meta.pk.name)
            )
        return super().all_lines()

    def add_product(self, product, quantity=1, options=None):
        loaded = self._loaded_lines()
        line, created = super().add_product(product, quantity, options)
        if loaded is not None:
            if created:
                loaded.append(line)
            else:  # the loaded line keeps its product, stock record and pictures
                for old in loaded:
                    if old.pk == line.pk:
                        old.quantity = line.quantity
            lines = self.all_lines()  # a new query, never run: its results are these
            lines._result_cache, lines._prefetch_done = loaded, True
            self._keep_lines_once = True
        return line, created

    add_product.alters_data = True
    add = add_product

    def reset_offer_applications(self):
        kept = self._lines if self._keep_lines_once else None
        self._keep_lines_once = False
        super().reset_offer_applications()
        if kept is not None:
            for line in kept:
                line.clear_discount()
            self._lines = kept

    def product_quantity(self, product):
        """From the loaded lines when they are loaded (Oscar: a SUM query)."""
        loaded = self._loaded_lines()
        if loaded is None:
            return super().product_quantity(product)
        return sum(line.quantity for line in loaded if line.product_id == product.pk)

    def _loaded_lines(self):
        lines = self._lines
        if lines is None or getattr(lines, "_result_cache", None) is None:
            return None
        return list(lines)

    @property
    def num_lines(self):
        """Counted from the lines, which totals and offers load anyway: Oscar's COUNT query
        ran twice more on every add to basket."""
        return len(self.all_lines())


from oscar.apps.basket.models import *  # noqa: E402, F403
